import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_COOKIE } from './session.ts';

/** Cookies the upstream must never see from a browser: Grafana's own sessions and ours. */
const DROPPED_COOKIES = new Set(['grafana_session', 'grafana_session_expiry', SESSION_COOKIE]);

function filterCookies(cookie: string): string {
  return cookie
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && !DROPPED_COOKIES.has(part.split('=', 1)[0]!.trim()))
    .join('; ');
}

/**
 * Headers for a request to Grafana's auth proxy: everything a client could use to choose its identity or org is
 * removed (`X-WEBAUTH-*`, `X-Grafana-Org-Id`, `Authorization`, session cookies), then `X-WEBAUTH-USER` is set from
 * the session. No role header is ever sent: Grafana would strip the user from its other orgs.
 */
export function grafanaUpstreamHeaders(headers: IncomingHttpHeaders, login: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-webauth-') || lower === 'x-grafana-org-id' || lower === 'authorization') continue;
    if (lower === 'cookie') {
      const kept = filterCookies(Array.isArray(value) ? value.join('; ') : (value ?? ''));
      if (kept) out.cookie = kept;
      continue;
    }
    out[lower] = value;
  }
  out['x-webauth-user'] = login;
  return out;
}
