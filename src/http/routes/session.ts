import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { loginPage } from '../pages/html.ts';
import type { ApiContext } from '../context.ts';
import { endSession, startSession } from '../session.ts';

/** Only same-site paths: `//evil.example` or `/\evil` would send the browser elsewhere after sign-in. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

/** Browser sign-in: a client key signs in as that client, the admin key as operator. */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const html = { 200: Type.String(), 401: Type.String() };

  app.get('/login', {
    config: { public: true },
    schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) },
  }, async (request, reply) => reply.type('text/html; charset=utf-8').send(loginPage(safeNext(request.query.next))));

  app.post('/login', {
    // Key guessing: a few attempts a minute per IP, whatever else the caller sends.
    config: { public: true, rateLimit: { max: ctx.limits.loginAttemptsPerMinute, timeWindow: '1 minute', keyGenerator: (request) => `login:${request.ip}` } },
    schema: {
      hide: true,
      body: Type.Object({ key: Type.String({ maxLength: 512 }), next: Type.Optional(Type.String({ maxLength: 2000 })) }),
      response: html,
    },
  }, async (request, reply) => {
    const next = safeNext(request.body.next);
    const principal = ctx.keys.principalFor(request.body.key.trim());
    if (!principal) {
      return reply.status(401).type('text/html; charset=utf-8').send(loginPage(next, 'That key is not valid.'));
    }
    startSession(reply, principal, ctx.keys, ctx.session.secureCookies);
    return reply.redirect(next, 303);
  });

  app.post('/logout', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    endSession(reply);
    return reply.redirect('/login', 303);
  });
};
