import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resetEmail } from '../../access/invitationEmails.ts';
import { ADMIN_RESET_MS, createReset, SELF_RESET_MS, TOKEN_PATTERN, useToken } from '../../access/invitations.ts';
import { hashPassword, passwordProblem } from '../../access/passwords.ts';
import { isAdmin } from '../../access/permissions.ts';
import { canSee, type Principal } from '../../access/principal.ts';
import { endSessionsOf } from '../../access/sessions.ts';
import { setPasswordHash, userById, userWithHashByEmail, type User } from '../../access/users.ts';
import { audit } from '../audit.ts';
import { deadLinkError, deadLinkOf, deadLinkStatus, linkBase, linkPageHeaders, liveLink, resetLink, signInAfterLink } from '../accountLinks.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { linkGonePage, resetPage, resetRequestPage, resetSentPage } from '../pages/accountPages.ts';
import { ErrorBody } from '../schemas/common.ts';
import { MeBody, meOf } from '../schemas/me.ts';
import { DeliveryBody, EMAIL } from './invitations.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
const invalid = (message: string) => new ApiError(400, 'INVALID_PARAMETER', message);
const HOURS = SELF_RESET_MS / 3_600_000;
const REQUESTED = `If an account exists for that address, a link to set a new password is on its way to it (it works once, for ${HOURS} hours).`;

/** As `manages` in people.ts: admins anyone; operators the members of clients they see. Others' accounts look missing. */
function managesPerson(p: Principal, user: User): boolean {
  if (isAdmin(p) || p.userId === user.id) return true;
  if (p.role !== 'operator' || user.role !== 'member') return false;
  return Object.keys(user.clients).every((clientId) => canSee(p, clientId));
}

/**
 * Password resets: anyone may ask for a link at `/password-reset` (the answer never says whether the address has an
 * account; only one that has gets an email); admins and operators create one for a person they manage. The link
 * sets the password once, ends every session of that person, and signs them in.
 */
export const passwordResetRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const db = ctx.platform;
  const throttled = { max: ctx.limits.loginAttemptsPerMinute, timeWindow: '1 minute', keyGenerator: (request: { ip: string }) => `reset:${request.ip}` };
  /** Emails being sent for anonymous requests (not awaited by them, so the answer takes as long either way). */
  const sending = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...sending]);
  });

  /** A reset asked for by email address: the same work and answer either way; the email goes out in the background. */
  const requestReset = async (request: FastifyRequest, email: string) => {
    const address = email.trim().toLowerCase().slice(0, 320);
    const found = EMAIL.test(address) ? await userWithHashByEmail(db, address) : null;
    const user = found && !found.user.disabled ? found.user : null;
    await audit(ctx, request, { action: 'password-reset-requested', target: address, details: { account: user !== null } }, { kind: 'anonymous', id: null, label: address });
    if (!user) return;
    const base = linkBase(ctx, request);
    if (!base) return void request.log.warn('a password reset was not emailed: the request\'s Host header cannot make a link (set PUBLIC_URL)');
    const work = (async () => {
      const { invitation, token } = await createReset(db, user, { id: null, label: user.email }, SELF_RESET_MS);
      await ctx.mailer.send(resetEmail(invitation, resetLink(base, token), true));
    })().catch((error: Error & { code?: string }) => request.log.error({ code: error.code, err: { type: error.name } }, 'a password reset could not be created'));
    sending.add(work);
    void work.finally(() => sending.delete(work));
  };

  app.get('/password-reset', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    linkPageHeaders(reply).send(resetRequestPage()));

  app.post('/password-reset', {
    config: { public: true, rateLimit: throttled },
    schema: { hide: true, body: Type.Object({ email: Type.String({ maxLength: 320 }) }) },
  }, async (request, reply) => {
    if (!request.body.email.trim()) return linkPageHeaders(reply.status(400)).send(resetRequestPage({ error: 'Enter the email address you sign in with.' }));
    await requestReset(request, request.body.email);
    return linkPageHeaders(reply).send(resetSentPage(HOURS));
  });

  app.post('/api/password-resets', {
    config: { public: true, rateLimit: throttled },
    schema: {
      tags: ['people'], summary: 'Asks for a password-reset link by email: always the same 202, whether or not the address has an account', security: [],
      body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false }),
      response: { 202: Type.Object({ message: Type.String() }), 400: ErrorBody, 403: ErrorBody },
    },
  }, async (request, reply) => {
    await requestReset(request, request.body.email);
    return reply.status(202).send({ message: REQUESTED });
  });

  app.post('/api/users/:id/password-reset', {
    schema: {
      tags: ['people'], summary: 'Creates a password-reset link for a person (shown here once; emailed when SMTP is configured); it lasts 48 hours',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: { 201: Type.Object({ link: Type.String(), expiresAt: Type.String(), emailed: Type.Boolean(), delivery: DeliveryBody }), ...errors },
    },
  }, async (request, reply) => {
    const p = request.principal!;
    if (p.role === 'member') throw forbidden('Members do not manage people');
    if (p.actor.kind === 'token' && p.userId === null) throw forbidden('A service token creates no reset links');
    const user = await userById(db, request.params.id);
    if (!user || !managesPerson(p, user)) throw notFound('Person');
    if (user.disabled) throw invalid('id: this person is disabled; enable them first');
    const base = linkBase(ctx, request);
    if (!base) throw invalid('host: this request\'s Host header cannot make a link; set PUBLIC_URL');
    const { invitation, token } = await createReset(db, user, { id: p.userId, label: p.actor.label }, ADMIN_RESET_MS);
    const link = resetLink(base, token);
    const delivery = await ctx.mailer.send(resetEmail(invitation, link, false));
    await audit(ctx, request, { action: 'password-reset-requested', target: user.email, details: { for: 'someone else', delivery: delivery.status } });
    return reply.status(201).send({ link, expiresAt: invitation.expiresAt, emailed: delivery.status === 'sent', delivery: { status: delivery.status, error: delivery.error } });
  });

  // --- Using the link -------------------------------------------------------------------------------------------

  const live = async (token: string) => {
    if (!TOKEN_PATTERN.test(token)) return { dead: 'unknown' as const };
    const found = await liveLink(ctx, token, 'reset');
    if ('dead' in found) return found;
    const user = await userById(db, found.invitation.userId!);
    // A person disabled since: the link is as good as withdrawn.
    return user && !user.disabled ? { invitation: found.invitation, user } : { dead: 'revoked' as const };
  };

  /** Sets the password, uses the link once, ends every session of the person, signs them in. */
  const complete = async (request: FastifyRequest, reply: FastifyReply, token: string, password: string) => {
    const found = await live(token);
    if ('dead' in found) throw deadLinkError(found.dead);
    const { user } = found;
    const problem = passwordProblem(password, [user.email, user.name]);
    if (problem) throw invalid(`password: ${problem}`);
    const passwordHash = await hashPassword(password);
    if (!(await useToken(db, token, 'reset'))) throw deadLinkError('used');
    await setPasswordHash(db, user.id, passwordHash);
    const ended = await endSessionsOf(db, user.id);
    await audit(ctx, request, { action: 'password-reset', target: user.email, details: { sessionsEnded: ended } }, { kind: 'user', id: user.id, label: user.email });
    return signInAfterLink(ctx, request, reply, user.id, 'password-reset');
  };

  const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });

  app.get('/password-reset/:token', { config: { public: true }, schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const found = await live(request.params.token);
    if ('dead' in found) return linkPageHeaders(reply.status(deadLinkStatus(found.dead))).send(linkGonePage('reset', found.dead));
    return linkPageHeaders(reply).send(resetPage({ token: request.params.token, email: found.user.email }));
  });

  app.post('/password-reset/:token', {
    config: { public: true, rateLimit: throttled },
    schema: { hide: true, params: TokenParams, body: Type.Object({ password: Type.String({ maxLength: 1024 }), username: Type.Optional(Type.String({ maxLength: 320 })) }) },
  }, async (request, reply) => {
    const { token } = request.params;
    try {
      await complete(request, reply, token, request.body.password);
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode >= 500) throw error;
      const dead = deadLinkOf(error);
      if (dead) return linkPageHeaders(reply.status(error.statusCode)).send(linkGonePage('reset', dead));
      const found = await live(token);
      if ('dead' in found) return linkPageHeaders(reply.status(deadLinkStatus(found.dead))).send(linkGonePage('reset', found.dead));
      return linkPageHeaders(reply.status(400)).send(resetPage({ token, email: found.user.email, error: `${error.message.replace(/^password: /, 'The password ')}.` }));
    }
    return reply.header('cache-control', 'no-store').redirect('/', 303);
  });

  app.post('/api/password-resets/complete', {
    config: { public: true, rateLimit: throttled },
    schema: {
      tags: ['people'], summary: 'Sets a new password with a reset link: ends every session of that person and signs them in (sets the session cookie)', security: [],
      body: Type.Object({ token: Type.String({ maxLength: 200 }), password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
      response: { 200: MeBody, 400: ErrorBody, 403: ErrorBody, 410: ErrorBody },
    },
  }, async (request, reply) => meOf(await complete(request, reply, request.body.token, request.body.password), ctx));
};
