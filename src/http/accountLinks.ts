import type { FastifyReply, FastifyRequest } from 'fastify';
import { findByToken, type Invitation, type InvitationPurpose, type LinkState } from '../access/invitations.ts';
import type { Principal } from '../access/principal.ts';
import { audit } from './audit.ts';
import type { ApiContext } from './context.ts';
import { ApiError } from './errors.ts';
import { goneMessage } from './pages/accountPages.ts';
import { sessionToken, setSessionCookie } from './session.ts';

/** What invitation and reset routes share: where links point, what a dead link answers, signing in after one. */

/** A Host header we would put into a link (name or IPv4/IPv6 address, optional port), nothing else. */
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Where links point: `PUBLIC_URL`, else the request's own origin (protocol and host). Null when the request's host
 * is nothing we would write into a link.
 */
export function linkBase(ctx: ApiContext, request: FastifyRequest): string | null {
  if (ctx.publicUrl) return ctx.publicUrl;
  const host = request.host;
  if (!host || !PLAIN_HOST.test(host)) return null;
  const protocol = request.protocol === 'https' ? 'https' : 'http';
  return `${protocol}://${host.replace(protocol === 'https' ? /:443$/ : /:80$/, '')}`;
}

export const invitationLink = (base: string, token: string) => `${base}/invitations/${token}`;
export const resetLink = (base: string, token: string) => `${base}/password-reset/${token}`;

export type DeadLink = Exclude<LinkState, 'live'> | 'unknown';

const GONE_CODES: Record<DeadLink, [number, string]> = {
  unknown: [400, 'INVALID_PARAMETER'],
  expired: [410, 'LINK_EXPIRED'],
  used: [410, 'LINK_USED'],
  revoked: [410, 'LINK_REVOKED'],
};

/** The answer for a link that cannot be used: 400 for one never issued, 410 for one that was and is no more. */
export function deadLinkError(state: DeadLink): ApiError {
  const [status, code] = GONE_CODES[state];
  return new ApiError(status, code, `token: ${goneMessage(state)}`);
}
export const deadLinkStatus = (state: DeadLink) => GONE_CODES[state][0];

/** Which dead link an error from `deadLinkError` describes, or null for any other error. */
export function deadLinkOf(error: ApiError): DeadLink | null {
  const found = (Object.entries(GONE_CODES) as [DeadLink, [number, string]][]).find(([, [, code]]) => code === error.code);
  if (!found) return null;
  return found[0] !== 'unknown' || error.message.startsWith('token:') ? found[0] : null;
}

/** The live link behind `token`, or why there is none. */
export async function liveLink(ctx: ApiContext, token: string, purpose: InvitationPurpose): Promise<{ invitation: Invitation } | { dead: DeadLink }> {
  const found = await findByToken(ctx.platform, token, purpose);
  if (!found) return { dead: 'unknown' };
  return found.state === 'live' ? { invitation: found.invitation } : { dead: found.state };
}

/**
 * Signs the person in after they used a link, as `POST /login` does (a new session, its cookie); a session the
 * browser held before (someone else's, perhaps) ends.
 */
export async function signInAfterLink(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, userId: string, via: 'invitation' | 'password-reset'): Promise<Principal> {
  const previous = sessionToken(request);
  if (previous) await ctx.access.endSession(previous);
  const { token, expiresAt } = await ctx.access.startSession({ userId });
  setSessionCookie(reply, token, expiresAt, ctx.session.secureCookies);
  const principal = (await ctx.access.session(token))!;
  await audit(ctx, request, { action: 'sign-in', details: { with: via } }, principal.actor);
  return principal;
}

/** Headers of every page behind a link: never cached, never framed, nothing loaded from elsewhere. */
export function linkPageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .type('text/html; charset=utf-8');
}
