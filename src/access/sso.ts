import * as oidc from 'openid-client';
import type { Queryable } from '../db/queryable.ts';
import { isLoopbackIssuer, ruleForEmail, type SsoConfig, type SsoDomainRule } from '../config/sso.ts';
import { createUser, normaliseEmail, userById, userWithHashByEmail, type User } from './users.ts';

/**
 * Single sign-on with OpenID Connect, with no HTTP in it: the authorization request (code flow, PKCE S256, state and
 * nonce, all checked by openid-client), the callback (the ID token's claims, or the UserInfo endpoint's when the ID
 * token carries no email), and who that is here. The email must be verified and its domain allowed by `OIDC_DOMAINS`.
 * A person is found by their subject at the issuer first, then by email (linking that subject to them); a new one is
 * created with the domain's role and no password. Tokens and the client secret never leave this module.
 */

/** Why a sign-in was refused; each has its own message for the person and its own audit reason. */
export type SsoReason =
  | 'provider-unavailable' | 'provider-error' | 'invalid-response'
  | 'no-email' | 'unverified-email' | 'domain-not-allowed' | 'disabled' | 'identity-conflict' | 'unknown-client';

export class SsoRefused extends Error {
  constructor(readonly reason: SsoReason, message: string, readonly email: string | null = null, readonly detail: string | null = null) {
    super(message);
    this.name = 'SsoRefused';
  }
}

/** What the browser must carry from the start to the callback (in a signed cookie): none of it is worth anything alone. */
export interface SsoChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the provider says signed in, after the library has checked the response. */
export interface SsoIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string;
}

export interface SsoPerson {
  user: User;
  /** A new account was made for them. */
  created: boolean;
}

export interface SsoOptions {
  /** Whether a client exists now (a domain that makes members of a removed client lets nobody in). */
  knownClient?: (clientId: string) => boolean;
  /** Each request to the provider gives up after this long (default 10 s). */
  timeoutSeconds?: number;
}

const SCOPE = 'openid email profile';

/**
 * Whether the provider vouches for the email: `email_verified: true` (the OpenID standard claim), or, from Microsoft
 * Entra ID, which never sends `email_verified` for work accounts, its optional `xms_edov: true` ("email domain owner
 * verified") when `email_verified` is absent. An explicit `email_verified: false` always refuses.
 */
export function emailIsVerified(claims: Record<string, unknown>): boolean {
  if (claims.email_verified !== undefined) return claims.email_verified === true;
  return claims.xms_edov === true;
}

function nameOf(claims: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const name = text(claims.name) || [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ');
  return name.slice(0, 200);
}

/** The identity in a set of claims (the ID token's, or UserInfo's with the ID token's issuer and subject). */
export function identityOf(issuer: string, subject: string, claims: Record<string, unknown>): SsoIdentity {
  const email = typeof claims.email === 'string' && claims.email.trim() !== '' ? normaliseEmail(claims.email) : null;
  return { issuer, subject, email, emailVerified: emailIsVerified(claims), name: nameOf(claims) };
}

interface IdentityRow {
  userId: string;
}

async function userByIdentity(db: Queryable, issuer: string, subject: string): Promise<User | null> {
  const { rows } = await db.query<IdentityRow>(
    `UPDATE access.user_identities SET last_used_at = now() WHERE issuer = $1 AND subject = $2 RETURNING user_id AS "userId"`,
    [issuer, subject],
  );
  return rows[0] ? userById(db, rows[0].userId) : null;
}

/** Links (issuer, subject) to a person; false when either is taken (the subject by anyone, or this person at this issuer). */
async function linkIdentity(db: Queryable, userId: string, identity: SsoIdentity & { email: string }): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO access.user_identities (user_id, issuer, subject, email) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [userId, identity.issuer, identity.subject, identity.email],
  );
  return rows.length > 0;
}

/**
 * Who `identity` is here, deciding as the README says: a verified email from an allowed domain; the person already
 * linked to this subject, else the person with this email (linked now; their own role stays), else a new person with
 * the domain's role. Disabled people, and a person already linked to a different subject at this issuer, are refused.
 */
export async function personFor(db: Queryable, rules: readonly SsoDomainRule[], identity: SsoIdentity, options: SsoOptions = {}): Promise<SsoPerson> {
  const { email } = identity;
  if (email === null) throw new SsoRefused('no-email', 'Your single sign-on account did not tell us your email address, so we cannot tell who you are here.');
  if (!identity.emailVerified) {
    throw new SsoRefused('unverified-email', `Your single sign-on provider has not verified ${email}. Verify it there, then sign in again.`, email);
  }
  const rule = ruleForEmail(rules, email);
  if (!rule) {
    throw new SsoRefused('domain-not-allowed', `Accounts of ${email.slice(email.lastIndexOf('@') + 1)} cannot sign in here with single sign-on. Ask an admin to invite you.`, email);
  }
  const refuseDisabled = (user: User) => {
    if (user.disabled) throw new SsoRefused('disabled', 'This account is disabled. Ask an admin to enable it.', email);
  };

  const linked = await userByIdentity(db, identity.issuer, identity.subject);
  if (linked) {
    refuseDisabled(linked);
    return { user: linked, created: false };
  }

  let user = (await userWithHashByEmail(db, email))?.user ?? null;
  let created = false;
  if (!user) {
    if (rule.role === 'member' && options.knownClient && !options.knownClient(rule.clientId)) {
      throw new SsoRefused('unknown-client', `Accounts of ${rule.domain} are meant for a client that does not exist (any more). Ask an admin.`, email, rule.clientId);
    }
    user = await createUser(db, {
      email,
      name: identity.name,
      role: rule.role,
      allClients: rule.role === 'operator',
      clients: rule.role === 'member' ? { [rule.clientId]: 'viewer' } : {},
      passwordHash: null,
    });
    created = user !== null;
    // Someone else made this person a moment ago (two first sign-ins at once, or an invitation): use theirs.
    user ??= (await userWithHashByEmail(db, email))?.user ?? null;
    if (!user) throw new Error('a person created for single sign-on could not be read back');
  }
  refuseDisabled(user);

  if (!(await linkIdentity(db, user.id, { ...identity, email }))) {
    const now = await userByIdentity(db, identity.issuer, identity.subject);
    if (now?.id !== user.id) {
      throw new SsoRefused('identity-conflict', `${email} is already linked to a different single sign-on account. Ask an admin.`, email);
    }
  }
  return { user, created };
}

/** The library's errors, as reasons: what the provider answered, a response that fails our checks, or no answer. */
function refusalOf(error: unknown): SsoRefused {
  if (error instanceof SsoRefused) return error;
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) {
    return new SsoRefused('provider-error', `The single sign-on provider did not sign you in (${error.error.slice(0, 60)}). Try again.`, null, error.error.slice(0, 60));
  }
  const code = (error as { code?: unknown }).code;
  if (error instanceof oidc.ClientError && typeof code === 'string'
    && ['OAUTH_INVALID_RESPONSE', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED'].includes(code)) {
    return new SsoRefused('invalid-response', 'This sign-in answer does not match the sign-in that was started here (its state or nonce differs, or it has expired). Start again.', null, code);
  }
  return new SsoRefused('provider-unavailable', 'The single sign-on provider could not be reached or gave an answer we cannot use. Try again in a moment.', null,
    typeof code === 'string' ? code : (error as Error)?.name ?? 'unknown');
}

/** The relying party: one per process, discovering the provider on first use (and again after a failed attempt). */
export class SingleSignOn {
  private discovered: Promise<oidc.Configuration> | null = null;
  readonly redirectUri: string;

  constructor(
    private readonly db: Queryable,
    private readonly config: SsoConfig,
    /** `PUBLIC_URL`: the provider sends people back to `<publicUrl>/auth/oidc/callback`. */
    publicUrl: string,
    private readonly options: SsoOptions = {},
  ) {
    this.redirectUri = `${publicUrl.replace(/\/+$/, '')}/auth/oidc/callback`;
  }

  get label(): string {
    return this.config.label;
  }

  /** The provider's metadata and keys; a failure is not kept, so the next sign-in tries again. */
  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= oidc.discovery(new URL(this.config.issuer), this.config.clientId, this.config.clientSecret, undefined, {
      timeout: this.options.timeoutSeconds ?? 10,
      ...(isLoopbackIssuer(this.config.issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
    }).catch((error: unknown) => {
      this.discovered = null;
      throw error;
    });
    return this.discovered;
  }

  /** Discovers the provider now (at start-up), so a wrong issuer shows in the log before anyone tries. */
  async check(): Promise<void> {
    try {
      await this.configuration();
    } catch (error) {
      throw refusalOf(error);
    }
  }

  /** Where to send the browser, and what it must bring back. */
  async begin(): Promise<{ url: string; checks: SsoChecks }> {
    let configuration: oidc.Configuration;
    try {
      configuration = await this.configuration();
    } catch (error) {
      throw refusalOf(error);
    }
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: SCOPE,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    });
    return { url: url.href, checks };
  }

  /** The identity in the provider's answer (`search`: the callback's query string), every check done by the library. */
  async identify(search: string, checks: SsoChecks): Promise<SsoIdentity> {
    try {
      const configuration = await this.configuration();
      const tokens = await oidc.authorizationCodeGrant(configuration, new URL(`${this.redirectUri}${search}`), {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      if (typeof claims.email === 'string') return identityOf(claims.iss, claims.sub, claims);
      // Providers that keep scope claims out of the ID token (as the spec allows) answer them at UserInfo, for this subject.
      const info = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      return identityOf(claims.iss, claims.sub, info);
    } catch (error) {
      throw refusalOf(error);
    }
  }

  /** The whole callback: who signed in, and their account here. */
  async complete(search: string, checks: SsoChecks): Promise<SsoPerson & { identity: SsoIdentity }> {
    const identity = await this.identify(search, checks);
    return { ...(await personFor(this.db, this.config.domains, identity, this.options)), identity };
  }
}
