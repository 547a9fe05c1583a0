import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SsoRefused, type SsoChecks, type SsoReason } from '../../access/sso.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { safeNext } from '../next.ts';
import { messagePage } from '../pages/html.ts';
import { setSessionCookie } from '../session.ts';

/**
 * Single sign-on in the browser: `/auth/oidc/start` sends the browser to the provider, keeping what the callback must
 * check (state, nonce, the PKCE verifier) and where to go after (`next`) in a short-lived signed, httpOnly cookie;
 * `/auth/oidc/callback` checks the provider's answer, starts a session as a password sign-in does, and goes to `next`.
 * Every refusal is a page saying why (or our error shape for JSON callers), audited, never a 500.
 */
export const SSO_FLOW_COOKIE = 'ca_oidc';
const FLOW_PATH = '/auth/oidc/';
/** A sign-in at the provider must come back within this long. */
const FLOW_MS = 10 * 60_000;

interface Flow extends SsoChecks {
  next: string;
  /** When the flow ends (ms since the epoch): the cookie's own lifetime is the browser's to keep or not. */
  expires: number;
}

const STATUS: Record<SsoReason, number> = {
  'invalid-response': 400,
  'provider-error': 401,
  'no-email': 403,
  'unverified-email': 403,
  'domain-not-allowed': 403,
  disabled: 403,
  'identity-conflict': 403,
  'unknown-client': 403,
  'provider-unavailable': 502,
};

const CODE: Record<SsoReason, string> = {
  'invalid-response': 'SSO_INVALID_RESPONSE',
  'provider-error': 'SSO_PROVIDER_ERROR',
  'no-email': 'SSO_NO_EMAIL',
  'unverified-email': 'SSO_EMAIL_NOT_VERIFIED',
  'domain-not-allowed': 'SSO_DOMAIN_NOT_ALLOWED',
  disabled: 'SSO_ACCOUNT_DISABLED',
  'identity-conflict': 'SSO_IDENTITY_CONFLICT',
  'unknown-client': 'SSO_UNKNOWN_CLIENT',
  'provider-unavailable': 'SSO_PROVIDER_UNAVAILABLE',
};

function readFlow(request: FastifyRequest): Flow | null {
  const raw = request.cookies[SSO_FLOW_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  try {
    const flow = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Partial<Flow>;
    const strings = [flow.state, flow.nonce, flow.codeVerifier, flow.next].every((value) => typeof value === 'string');
    if (!strings || typeof flow.expires !== 'number' || flow.expires < Date.now()) return null;
    return { state: flow.state!, nonce: flow.nonce!, codeVerifier: flow.codeVerifier!, next: safeNext(flow.next), expires: flow.expires };
  } catch {
    return null;
  }
}

/** A browser gets a page; a caller asking for JSON (and not HTML) gets our error shape. */
function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export const ssoRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const sso = ctx.oidc;
  if (!sso) return; // not configured: these paths are unknown (404), and the sign-in page offers no button
  const throttled = { max: ctx.limits.loginAttemptsPerMinute, timeWindow: '1 minute', keyGenerator: (request: { ip: string }) => `login:${request.ip}` };
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: ctx.session.secureCookies, path: FLOW_PATH };

  const refuse = async (request: FastifyRequest, reply: FastifyReply, refusal: SsoRefused) => {
    request.log.info({ reason: refusal.reason, detail: refusal.detail }, 'single sign-on refused');
    const target = refusal.email?.slice(0, 320) ?? null;
    await audit(ctx, request, { action: 'sign-in-failed', target, details: { with: 'sso', reason: refusal.reason } },
      { kind: 'anonymous', id: null, label: target ?? 'single sign-on' });
    const status = STATUS[refusal.reason];
    if (wantsJson(request)) return reply.status(status).send({ error: { code: CODE[refusal.reason], message: refusal.message } });
    return reply.status(status).type('text/html; charset=utf-8').send(messagePage('Single sign-on failed', refusal.message));
  };

  /** Anything else (the platform database down, a bug): said plainly, logged without the error's message. */
  const unavailable = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    request.log.error({ err: { type: (error as Error)?.name, code: (error as { code?: string })?.code, stack: (error as Error)?.stack } }, 'single sign-on failed unexpectedly');
    const message = 'Single sign-on is not available right now. Try again in a moment, or sign in with your email and password.';
    if (wantsJson(request)) return reply.status(503).send({ error: { code: 'SSO_UNAVAILABLE', message } });
    return reply.status(503).type('text/html; charset=utf-8').send(messagePage('Single sign-on failed', message));
  };

  app.get('/auth/oidc/start', {
    config: { public: true },
    schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) },
  }, async (request, reply) => {
    const next = safeNext(request.query.next);
    let started: Awaited<ReturnType<typeof sso.begin>>;
    try {
      started = await sso.begin();
    } catch (error) {
      if (error instanceof SsoRefused) return refuse(request, reply, error);
      return unavailable(request, reply, error);
    }
    const flow: Flow = { ...started.checks, next, expires: Date.now() + FLOW_MS };
    reply.setCookie(SSO_FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString('base64url'), { ...cookie, signed: true, maxAge: FLOW_MS / 1000 });
    return reply.header('cache-control', 'no-store').redirect(started.url, 303);
  });

  app.get('/auth/oidc/callback', {
    config: { public: true, rateLimit: throttled },
    schema: { hide: true },
  }, async (request, reply) => {
    const flow = readFlow(request);
    reply.clearCookie(SSO_FLOW_COOKIE, { path: FLOW_PATH }); // one use, whatever happens
    reply.header('cache-control', 'no-store');
    if (!flow) {
      return refuse(request, reply, new SsoRefused('invalid-response',
        'This sign-in was not started in this browser, or took longer than 10 minutes. Start again from the sign-in page.', null, 'flow-cookie'));
    }
    const at = request.url.indexOf('?');
    const search = at === -1 ? '' : request.url.slice(at);
    try {
      const { user, created } = await sso.complete(search, flow);
      if (created) {
        await audit(ctx, request, { action: 'person-created', target: user.email, details: { with: 'sso', role: user.role, clients: Object.keys(user.clients).join(',') } },
          { kind: 'user', id: user.id, label: user.email });
      }
      const { token, expiresAt } = await ctx.access.startSession({ userId: user.id });
      setSessionCookie(reply, token, expiresAt, ctx.session.secureCookies);
      const principal = await ctx.access.session(token);
      if (principal) await audit(ctx, request, { action: 'sign-in', details: { with: 'sso', created } }, principal.actor);
      return reply.redirect(flow.next, 303);
    } catch (error) {
      if (error instanceof SsoRefused) return refuse(request, reply, error);
      return unavailable(request, reply, error);
    }
  });
};
