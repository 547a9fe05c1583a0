import type { Role } from '../access/principal.ts';
import { CLIENT_ID } from './clients.ts';
import { readString, type Env, type Problems } from './env.ts';

/**
 * Single sign-on with OpenID Connect (optional): `OIDC_ISSUER`, `OIDC_CLIENT_ID` and `OIDC_CLIENT_SECRET` together,
 * `OIDC_DOMAINS` saying whose email may sign in and with what role when they are new, `OIDC_LABEL` for the button.
 * The redirect URI registered at the provider is `PUBLIC_URL/auth/oidc/callback`, so `PUBLIC_URL` is required too.
 */
export interface SsoConfig {
  /** The provider's issuer identifier (discovery: `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** Never logged, never shown. */
  clientSecret: string;
  /** The sign-in page's button text. */
  label: string;
  /** Allowed email domains, each with the role a new person from it gets. */
  domains: SsoDomainRule[];
}

/** `example.com:operator` (every client), `partner.example:member@maple` (a viewer of client maple). */
export type SsoDomainRule =
  | { domain: string; role: 'operator'; clientId: null }
  | { domain: string; role: 'member'; clientId: string };

export const DEFAULT_SSO_LABEL = 'Sign in with single sign-on';

/** What a domain may map to; admins are never made by a domain rule (an admin promotes people in the product). */
const MAPPED_ROLES: readonly Role[] = ['operator', 'member'];
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DOMAIN = new RegExp(`^(?=.{1,253}$)(?:${LABEL}\\.)+${LABEL}$`);
const CLIENT = new RegExp(CLIENT_ID);
/** A plain-HTTP issuer is only accepted on this machine (development, tests): tokens never cross a network in clear. */
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Parses `OIDC_DOMAINS`: entries separated by commas, each `DOMAIN:ROLE`, where ROLE is `operator` (an operator on
 * every client) or `member@CLIENT` (a viewer of that one client). Domains match the email's part after `@` exactly
 * (case-insensitive; a subdomain is its own entry) and appear once. Returns the rules and one message per bad entry.
 */
export function parseSsoDomains(raw: string): { rules: SsoDomainRule[]; errors: string[] } {
  const rules: SsoDomainRule[] = [];
  const errors: string[] = [];
  const entries = raw.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    if (entry === '') return void errors.push(`${where} is empty`);
    const match = /^([^:\s]+):([a-z]+)(?:@([^\s@]+))?$/i.exec(entry);
    if (!match) return void errors.push(`${where} ("${entry.slice(0, 80)}") must be DOMAIN:operator or DOMAIN:member@CLIENT`);
    const domain = match[1]!.toLowerCase();
    const role = match[2]!.toLowerCase();
    const clientId = match[3];
    if (!DOMAIN.test(domain)) return void errors.push(`${where}: "${domain.slice(0, 80)}" is not a domain name like example.com`);
    if (!MAPPED_ROLES.includes(role as Role)) {
      return void errors.push(role === 'admin'
        ? `${where}: a domain cannot make admins (map it to operator; an admin promotes people in the product)`
        : `${where}: role "${role.slice(0, 20)}" must be operator or member@CLIENT`);
    }
    if (rules.some((rule) => rule.domain === domain)) return void errors.push(`${where}: ${domain} is listed twice`);
    if (role === 'operator') {
      if (clientId !== undefined) return void errors.push(`${where}: operator takes no client (operators from a domain see every client)`);
      rules.push({ domain, role: 'operator', clientId: null });
      return;
    }
    if (clientId === undefined) return void errors.push(`${where}: member needs its client, as member@CLIENT`);
    if (!CLIENT.test(clientId) || clientId.length > 64) return void errors.push(`${where}: "${clientId.slice(0, 80)}" is not a client id`);
    rules.push({ domain, role: 'member', clientId });
  });
  return { rules, errors };
}

/** The rule for an email's domain, or null when that domain may not sign in. */
export function ruleForEmail(rules: readonly SsoDomainRule[], email: string): SsoDomainRule | null {
  const at = email.lastIndexOf('@');
  if (at < 1) return null;
  const domain = email.slice(at + 1).toLowerCase();
  return rules.find((rule) => rule.domain === domain) ?? null;
}

/** Whether `issuer` may be spoken to over plain HTTP (a loopback address only). */
export function isLoopbackIssuer(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && LOOPBACK.test(url.hostname);
}

export function parseSso(env: Env, problems: Problems): SsoConfig | null {
  const issuer = readString(env, 'OIDC_ISSUER');
  const clientId = readString(env, 'OIDC_CLIENT_ID');
  const clientSecret = readString(env, 'OIDC_CLIENT_SECRET');
  const label = readString(env, 'OIDC_LABEL') ?? DEFAULT_SSO_LABEL;
  const domains = readString(env, 'OIDC_DOMAINS');
  const given = { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret };
  const missing = Object.entries(given).filter(([, value]) => value === undefined).map(([key]) => key);
  if (missing.length === 3) {
    if (domains !== undefined) problems.add('OIDC_DOMAINS', 'needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
    return null;
  }
  let ok = true;
  const problem = (key: string, message: string) => {
    ok = false;
    problems.add(key, message);
  };
  for (const key of missing) problem(key, 'OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (all or none)');
  if (issuer !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(issuer);
    } catch {
      problem('OIDC_ISSUER', 'is not a URL');
    }
    if (url && (url.search || url.hash || url.username || url.password)) problem('OIDC_ISSUER', 'must be the issuer URL alone (no query, fragment or credentials)');
    else if (url && url.protocol !== 'https:' && !isLoopbackIssuer(issuer)) problem('OIDC_ISSUER', 'must be an https:// URL (plain http only on localhost)');
  }
  if (label.length > 100) problem('OIDC_LABEL', 'must be at most 100 characters');
  if (readString(env, 'PUBLIC_URL') === undefined) problem('PUBLIC_URL', 'is required with OIDC_ISSUER: the provider redirects to PUBLIC_URL/auth/oidc/callback');
  let rules: SsoDomainRule[] = [];
  if (domains === undefined) {
    problem('OIDC_DOMAINS', 'is required with OIDC_ISSUER: the email domains that may sign in, e.g. example.com:operator');
  } else {
    const parsed = parseSsoDomains(domains);
    for (const error of parsed.errors) problem('OIDC_DOMAINS', error);
    rules = parsed.rules;
  }
  return ok ? { issuer: issuer!, clientId: clientId!, clientSecret: clientSecret!, label, domains: rules } : null;
}
