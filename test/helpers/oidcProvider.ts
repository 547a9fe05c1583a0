import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Account, type Configuration } from 'oidc-provider';

/**
 * A real OpenID Connect provider for single sign-on tests: `oidc-provider` (the certified server) on a free loopback
 * port, with one confidential client, PKCE required, and its development sign-in and consent pages (plain HTML forms
 * that accept any password for a known login). Accounts are kept in a map the test changes as it goes (an email
 * changed at the provider, say).
 */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  /** Microsoft Entra ID's "email domain owner verified" claim. */
  xms_edov?: boolean;
  name?: string;
}

export interface TestProvider {
  issuer: string;
  /** Login (at the provider's sign-in form) → the account's claims; the login is the subject. */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

export interface TestProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** true (the provider's default): scope claims (email, …) only at UserInfo, not in the ID token. */
  conformIdTokenClaims?: boolean;
  /** Listen here (default: any free port). */
  port?: number;
}

export async function startOidcProvider(options: TestProviderOptions): Promise<TestProvider> {
  const accounts = new Map<string, TestAccount>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const configuration: Configuration = {
    clients: [{
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uris: [options.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'] },
    conformIdTokenClaims: options.conformIdTokenClaims ?? false,
    // Even a confidential client must prove it started the flow (our relying party always does).
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' } as never] },
    features: { devInteractions: { enabled: true } },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    async findAccount(_ctx, sub): Promise<Account | undefined> {
      if (!accounts.has(sub)) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...accounts.get(sub) }) };
    },
  };
  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  return {
    issuer,
    accounts,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
