import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/loadConfig.ts';
import { DEFAULT_SSO_LABEL, parseSsoDomains, ruleForEmail } from '../../src/config/sso.ts';

const SECRET = 'a-client-secret-that-must-not-show';
const SSO = {
  OIDC_ISSUER: 'https://accounts.google.com',
  OIDC_CLIENT_ID: '1234.apps.googleusercontent.com',
  OIDC_CLIENT_SECRET: SECRET,
  OIDC_DOMAINS: 'example.com:operator',
  PUBLIC_URL: 'https://analytics.example.com',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      expect(error.message).not.toContain(SECRET);
      return error.problems;
    }
    throw error;
  }
  return [];
}

describe('OIDC_DOMAINS', () => {
  it('maps each domain to operator (every client) or member@CLIENT (a viewer of that client)', () => {
    expect(parseSsoDomains(' Example.COM:operator , partner.example:Member@maple,xn--bcher-kva.example:member@my-shop ')).toEqual({
      rules: [
        { domain: 'example.com', role: 'operator', clientId: null },
        { domain: 'partner.example', role: 'member', clientId: 'maple' },
        { domain: 'xn--bcher-kva.example', role: 'member', clientId: 'my-shop' },
      ],
      errors: [],
    });
  });

  it('names every bad entry, by its place', () => {
    const { rules, errors } = parseSsoDomains([
      'example.com', 'example.com:admin', 'example.com:owner', 'not a domain:operator', 'localhost:operator', 'partner.example:member',
      'partner.example:operator@maple', 'partner.example:member@Maple!', '', 'ok.example:operator', 'ok.example:member@maple', '*.example.com:operator',
    ].join(','));
    expect(rules).toEqual([{ domain: 'ok.example', role: 'operator', clientId: null }]);
    expect(errors).toEqual([
      'entry 1 ("example.com") must be DOMAIN:operator or DOMAIN:member@CLIENT',
      'entry 2: a domain cannot make admins (map it to operator; an admin promotes people in the product)',
      'entry 3: role "owner" must be operator or member@CLIENT',
      'entry 4 ("not a domain:operator") must be DOMAIN:operator or DOMAIN:member@CLIENT',
      'entry 5: "localhost" is not a domain name like example.com',
      'entry 6: member needs its client, as member@CLIENT',
      'entry 7: operator takes no client (operators from a domain see every client)',
      'entry 8: "Maple!" is not a client id',
      'entry 9 is empty',
      'entry 11: ok.example is listed twice',
      'entry 12: "*.example.com" is not a domain name like example.com',
    ]);
  });

  it('matches the part after @ exactly, whatever its case: a subdomain is its own entry', () => {
    const { rules } = parseSsoDomains('example.com:operator');
    expect(ruleForEmail(rules, 'Ana@EXAMPLE.com')).toEqual(rules[0]);
    expect(ruleForEmail(rules, 'ana@mail.example.com')).toBeNull();
    expect(ruleForEmail(rules, 'ana@example.com.evil.test')).toBeNull();
    expect(ruleForEmail(rules, 'example.com')).toBeNull();
  });
});

describe('single sign-on configuration', () => {
  it('is off without OIDC_*', () => {
    expect(loadConfig({}).sso).toBeNull();
  });

  it('reads issuer, client, secret, domains and the button label (with its default)', () => {
    expect(loadConfig(SSO).sso).toEqual({
      issuer: 'https://accounts.google.com', clientId: '1234.apps.googleusercontent.com', clientSecret: SECRET, label: DEFAULT_SSO_LABEL,
      domains: [{ domain: 'example.com', role: 'operator', clientId: null }],
    });
    expect(loadConfig({ ...SSO, OIDC_LABEL: 'Sign in with Google' }).sso?.label).toBe('Sign in with Google');
  });

  it('wants issuer, client id and secret all or none', () => {
    expect(problemsOf({ OIDC_ISSUER: SSO.OIDC_ISSUER, OIDC_DOMAINS: SSO.OIDC_DOMAINS, PUBLIC_URL: SSO.PUBLIC_URL })).toEqual([
      'OIDC_CLIENT_ID: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (all or none)',
      'OIDC_CLIENT_SECRET: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (all or none)',
    ]);
    expect(problemsOf({ OIDC_CLIENT_SECRET: SECRET, OIDC_DOMAINS: SSO.OIDC_DOMAINS, PUBLIC_URL: SSO.PUBLIC_URL }).map((p) => p.split(':')[0]))
      .toEqual(['OIDC_ISSUER', 'OIDC_CLIENT_ID']);
    expect(problemsOf({ OIDC_DOMAINS: 'example.com:operator' })).toEqual(['OIDC_DOMAINS: needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET']);
  });

  it('names the key of a bad domain list, a missing one, and a missing PUBLIC_URL', () => {
    expect(problemsOf({ ...SSO, OIDC_DOMAINS: 'example.com:admin' })).toEqual([
      'OIDC_DOMAINS: entry 1: a domain cannot make admins (map it to operator; an admin promotes people in the product)',
    ]);
    const { OIDC_DOMAINS: _domains, PUBLIC_URL: _url, ...bare } = SSO;
    expect(problemsOf(bare)).toEqual([
      'PUBLIC_URL: is required with OIDC_ISSUER: the provider redirects to PUBLIC_URL/auth/oidc/callback',
      'OIDC_DOMAINS: is required with OIDC_ISSUER: the email domains that may sign in, e.g. example.com:operator',
    ]);
  });

  it('wants an https issuer (plain http only on this machine) given as the issuer URL alone', () => {
    expect(problemsOf({ ...SSO, OIDC_ISSUER: 'http://idp.example.com' })).toEqual(['OIDC_ISSUER: must be an https:// URL (plain http only on localhost)']);
    expect(problemsOf({ ...SSO, OIDC_ISSUER: 'not a url' })).toEqual(['OIDC_ISSUER: is not a URL']);
    expect(problemsOf({ ...SSO, OIDC_ISSUER: 'https://idp.example.com/?tenant=1' })).toEqual(['OIDC_ISSUER: must be the issuer URL alone (no query, fragment or credentials)']);
    expect(problemsOf({ ...SSO, OIDC_ISSUER: 'http://127.0.0.1:8080' })).toEqual([]);
    expect(problemsOf({ ...SSO, OIDC_ISSUER: 'http://localhost:8080/realms/agency' })).toEqual([]);
    expect(loadConfig({ ...SSO, OIDC_ISSUER: 'https://login.microsoftonline.com/0000-tenant/v2.0' }).sso?.issuer).toBe('https://login.microsoftonline.com/0000-tenant/v2.0');
  });
});
