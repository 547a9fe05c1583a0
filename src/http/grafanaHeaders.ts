import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_COOKIE } from './session.ts';

/**
 * Request headers passed to Grafana: an allow-list of what its UI and API need from a browser, so nothing a client
 * could use to choose its identity or org (`X-WEBAUTH-*`, `Authorization`, `Proxy-Authorization`,
 * `X-DS-Authorization`, `X-Grafana-Org-Id`, spoofed `X-Forwarded-*`) gets through under any spelling: Node keeps
 * `x_webauth_user` as a name of its own, and it is simply not on the list.
 */
const HTTP_HEADERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'cache-control', 'content-length', 'content-type',
  'if-modified-since', 'if-none-match', 'range', 'user-agent',
  // Sent by Grafana's frontend (backend_srv.ts, DataSourceWithBackend.ts): device id, cache and query-routing hints.
  'x-grafana-device-id', 'x-grafana-nocache', 'x-grafana-from-expr', 'x-cache-skip', 'x-plugin-id', 'x-datasource-uid',
  'x-dashboard-uid', 'x-dashboard-title', 'x-panel-id', 'x-panel-title', 'x-panel-plugin-id', 'x-query-group-id',
]);
/** The websocket client makes its own handshake (key, version, extensions, subprotocol); these come from the browser. */
const WEBSOCKET_HEADERS = new Set(['user-agent', 'accept-language']);

/** Cookies the upstream must never see from a browser: Grafana's own sessions and ours. */
const DROPPED_COOKIES = new Set(['grafana_session', 'grafana_session_expiry', SESSION_COOKIE]);

function filterCookies(cookie: string): string {
  return cookie
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && !DROPPED_COOKIES.has(part.split('=', 1)[0]!.trim()))
    .join('; ');
}

/** Who asks, as Fastify sees it (with TRUST_PROXY, the real client behind the load balancer). */
export interface ProxiedBy {
  login: string;
  /** A person's name, shown in Grafana (X-WEBAUTH-NAME); null for the shared logins. */
  name: string | null;
  ip: string;
  host: string;
  protocol: string;
}

/**
 * Headers for a request to Grafana's auth proxy: the allowed ones, the cookie without session cookies, our own
 * `X-Forwarded-*`, `X-WEBAUTH-USER` from the session and, for a person, `X-WEBAUTH-NAME`. No role header is ever sent
 * (Grafana would strip the user from its other orgs), and no `X-WEBAUTH-EMAIL`: Grafana looks a signed-in user up by
 * email before login (`lookupByOneOf` in its user sync), so an email held by a Grafana user of someone else's would
 * sign the person in as that user. Sync sets each person's email in Grafana instead, when nobody else holds it.
 */
export function grafanaUpstreamHeaders(headers: IncomingHttpHeaders, kind: 'http' | 'websocket', by: ProxiedBy): IncomingHttpHeaders {
  const allowed = kind === 'http' ? HTTP_HEADERS : WEBSOCKET_HEADERS;
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && allowed.has(name.toLowerCase())) out[name.toLowerCase()] = value;
  }
  const cookie = headers.cookie === undefined ? '' : filterCookies(headers.cookie);
  if (cookie) out.cookie = cookie;
  out['x-forwarded-for'] = by.ip;
  out['x-forwarded-host'] = by.host;
  out['x-forwarded-proto'] = by.protocol;
  out['x-webauth-user'] = by.login;
  if (by.name) out['x-webauth-name'] = quotedPrintable(by.name);
  return out;
}

/**
 * A header value Grafana decodes with `headers_encoded = true` (quoted-printable over UTF-8): any name fits in a
 * header that way, and plain ASCII names read the same either way. A trailing space is encoded (decoders drop it).
 */
export function quotedPrintable(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  bytes.forEach((byte, index) => {
    const literal = (byte > 32 && byte < 127 && byte !== 61) || (byte === 32 && index < bytes.length - 1);
    out += literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  });
  return out;
}

/** This platform's origin as browsers see it: the request's protocol and Host (X-Forwarded-* with TRUST_PROXY). */
export function ownOrigin(request: { protocol: string; host: string }): string | null {
  try {
    return new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return null;
  }
}

/**
 * A page of another origin (cross-site websocket hijacking: the browser attaches our cookie). A missing Origin is not
 * foreign: browsers always send one on websocket upgrades, so its absence means a non-browser client, which can only
 * use a session cookie it already holds.
 */
export function isForeignOrigin(origin: string | undefined, request: { protocol: string; host: string }): boolean {
  if (origin === undefined) return false;
  let theirs: string;
  try {
    theirs = new URL(origin).origin; // "null" and lists of origins do not parse: foreign
  } catch {
    return true;
  }
  return theirs !== ownOrigin(request);
}
