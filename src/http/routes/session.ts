import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import { loginPage } from '../pages/html.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { safeNext } from '../next.ts';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../session.ts';
import type { SessionOwner } from '../../access/sessions.ts';
import { ErrorBody } from '../schemas/common.ts';
import { MeBody, meOf } from '../schemas/me.ts';

const WRONG = 'That email and password do not match an account.';

/** Browser sign-in (a form, or JSON): email and password, or a legacy API key; sign-out ends the session everywhere. */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const html = { 200: Type.String(), 401: Type.String() };
  const throttled = { max: ctx.limits.loginAttemptsPerMinute, timeWindow: '1 minute', keyGenerator: (request: { ip: string }) => `login:${request.ip}` };
  const Credentials = {
    email: Type.Optional(Type.String({ maxLength: 320 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    key: Type.Optional(Type.String({ maxLength: 512 })),
  };

  /** Who the credentials belong to, as a session owner; null when they are wrong (and the attempt is audited). */
  const ownerOf = async (request: FastifyRequest, body: { email?: string; password?: string; key?: string }): Promise<SessionOwner | null> => {
    if (body.key !== undefined) {
      const fingerprint = ctx.access.keys.fingerprintOf(body.key.trim());
      if (!fingerprint) await audit(ctx, request, { action: 'sign-in-failed', details: { with: 'key' } }, { kind: 'anonymous', id: null, label: 'an API key' });
      return fingerprint ? { keyFingerprint: fingerprint } : null;
    }
    if (!body.email || !body.password) throw new ApiError(400, 'INVALID_PARAMETER', 'email: and password are required (or key)');
    const user = await ctx.access.checkPassword(body.email, body.password);
    if (!user) await audit(ctx, request, { action: 'sign-in-failed', target: body.email.slice(0, 320) }, { kind: 'anonymous', id: null, label: body.email.slice(0, 320) });
    return user ? { userId: user.id } : null;
  };

  const start = async (request: FastifyRequest, reply: FastifyReply, owner: SessionOwner) => {
    const { token, expiresAt } = await ctx.access.startSession(owner);
    setSessionCookie(reply, token, expiresAt, ctx.session.secureCookies);
    const principal = await ctx.access.session(token);
    if (principal) await audit(ctx, request, { action: 'sign-in' }, principal.actor);
    return principal;
  };

  const end = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = sessionToken(request);
    if (token) {
      const principal = await ctx.access.session(token);
      await ctx.access.endSession(token);
      if (principal) await audit(ctx, request, { action: 'sign-out' }, principal.actor);
    }
    clearSessionCookie(reply);
  };

  app.get('/login', {
    config: { public: true },
    schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) },
  }, async (request, reply) => reply.type('text/html; charset=utf-8').send(loginPage(safeNext(request.query.next), { sso: ctx.sso })));

  app.post('/login', {
    // Guessing: a few attempts a minute per IP, whatever else the caller sends.
    config: { public: true, rateLimit: throttled },
    schema: { hide: true, body: Type.Object({ ...Credentials, next: Type.Optional(Type.String({ maxLength: 2000 })) }), response: html },
  }, async (request, reply) => {
    const next = safeNext(request.body.next);
    const owner = await ownerOf(request, request.body);
    if (!owner) return reply.status(401).type('text/html; charset=utf-8').send(loginPage(next, { error: request.body.key !== undefined ? 'That key is not valid.' : WRONG, sso: ctx.sso }));
    await start(request, reply, owner);
    return reply.redirect(next, 303);
  });

  app.post('/logout', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    await end(request, reply);
    return reply.redirect('/login', 303);
  });

  app.post('/api/session', {
    config: { public: true, rateLimit: throttled },
    schema: {
      tags: ['access'], summary: 'Sign in (sets the session cookie)', security: [],
      body: Type.Object(Credentials, { additionalProperties: false }), response: { 200: MeBody, 400: ErrorBody, 401: ErrorBody },
    },
  }, async (request, reply) => {
    const owner = await ownerOf(request, request.body);
    if (!owner) throw new ApiError(401, 'UNAUTHORIZED', request.body.key !== undefined ? 'That key is not valid' : WRONG);
    return meOf((await start(request, reply, owner))!, ctx);
  });

  app.delete('/api/session', {
    config: { public: true },
    schema: { tags: ['access'], summary: 'Sign out: ends this session on every replica', response: { 204: Type.Null() } },
  }, async (request, reply) => {
    await end(request, reply);
    return reply.status(204).send(null);
  });

  app.get('/api/me', {
    schema: { tags: ['access'], summary: 'Who is asking: role, and the clients they may see', response: { 200: MeBody, 401: ErrorBody } },
  }, async (request) => meOf(request.principal!, ctx));
};
