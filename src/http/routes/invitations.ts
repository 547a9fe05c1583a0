import { Type, type Static } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasControlCharacters } from '../../analytics/errors.ts';
import { roleText, invitationEmail } from '../../access/invitationEmails.ts';
import {
  createInvitation, invitationById, pendingInvitations, pruneInvitations, revokeInvitation, TOKEN_PATTERN, useToken, type Invitation,
} from '../../access/invitations.ts';
import { hashPassword, passwordProblem } from '../../access/passwords.ts';
import { isAdmin, mayInvite } from '../../access/permissions.ts';
import { canSee, CLIENT_ROLES, ROLES, type ClientRole, type Principal, type Role } from '../../access/principal.ts';
import { createUser, userWithHashByEmail } from '../../access/users.ts';
import { audit } from '../audit.ts';
import { deadLinkError, deadLinkOf, deadLinkStatus, invitationLink, linkBase, linkPageHeaders, liveLink, signInAfterLink } from '../accountLinks.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { invitationPage, linkGonePage } from '../pages/accountPages.ts';
import { messagePage } from '../pages/html.ts';
import { ErrorBody, Nullable } from '../schemas/common.ts';
import { ClientRoleSchema, MeBody, meOf, RoleSchema } from '../schemas/me.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
const invalid = (message: string) => new ApiError(400, 'INVALID_PARAMETER', message);
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** An invitation as the API shows it: never its token (only the inviter ever sees the link, once). */
export const InvitationBody = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  allClients: Type.Boolean(),
  clients: Type.Record(Type.String(), ClientRoleSchema, { description: 'client id → role there' }),
  invitedBy: Type.Object({ id: Nullable(Type.String()), label: Type.String() }),
  createdAt: Type.String(),
  expiresAt: Type.String({ description: 'the link works until then (48 hours after it was made)' }),
});

export const DeliveryBody = Type.Object({
  status: Type.Union([Type.Literal('sent'), Type.Literal('failed'), Type.Literal('outbox-only')], {
    description: 'sent over SMTP; failed (see error); outbox-only: no SMTP_URL, or demo data',
  }),
  error: Nullable(Type.String({ description: 'why sending failed: an error code and the SMTP reply code' })),
});

const invitationOf = (i: Invitation): Static<typeof InvitationBody> => ({
  id: i.id, email: i.email, role: i.role!, allClients: i.allClients, clients: i.clients, invitedBy: i.invitedBy, createdAt: i.createdAt, expiresAt: i.expiresAt,
});

/** Whether `p` may see and withdraw `invitation`: admins every one; operators those of members of clients they see. */
function managesInvitation(p: Principal, invitation: Invitation): boolean {
  if (isAdmin(p)) return true;
  if (p.role !== 'operator' || invitation.role !== 'member') return false;
  return Object.keys(invitation.clients).every((clientId) => canSee(p, clientId));
}

const InviteBody = Type.Object({
  email: Type.String({ maxLength: 320 }),
  role: Type.String({ maxLength: 20, description: 'admin, operator or member' }),
  clients: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 20 }), { maxProperties: 1000, description: 'client id → viewer or editor' })),
  clientIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000, description: 'client ids, each as viewer (or use clients)' })),
  allClients: Type.Optional(Type.Boolean({ description: 'operators only: every client, now and later' })),
}, { additionalProperties: false });

const AcceptBody = {
  name: Type.String({ maxLength: 200 }),
  password: Type.String({ maxLength: 1024 }),
};

/**
 * Invitations: an admin (or an operator, for members of its clients) invites by email; the link — shown once to the
 * inviter, and emailed when SMTP is configured — lets the person choose a name and password, and signs them in.
 */
export const invitationRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const db = ctx.platform;
  const throttled = { max: ctx.limits.loginAttemptsPerMinute, timeWindow: '1 minute', keyGenerator: (request: { ip: string }) => `invitation:${request.ip}` };
  const clientName = (id: string) => ctx.clients.get(id)?.name ?? id;

  /** The role, clients and all-clients flag the invitation would give, checked against what `p` may give. */
  const checkedGrant = (p: Principal, body: Static<typeof InviteBody>) => {
    if (p.role === 'member') throw forbidden('Members do not invite people');
    if (!(ROLES as readonly string[]).includes(body.role)) throw invalid(`role: must be one of ${ROLES.join(', ')}`);
    const role = body.role as Role;
    if (!isAdmin(p) && role !== 'member') throw forbidden('Operators may only invite members');
    if (body.clients !== undefined && body.clientIds !== undefined) throw invalid('clients: give clients or clientIds, not both');
    const clients: Record<string, ClientRole> = {};
    for (const [clientId, clientRole] of Object.entries(body.clients ?? {})) {
      if (!(CLIENT_ROLES as readonly string[]).includes(clientRole)) throw invalid(`clients: the role in "${clientId}" must be viewer or editor`);
      clients[clientId] = clientRole as ClientRole;
    }
    for (const clientId of body.clientIds ?? []) clients[clientId] = 'viewer';
    // A client the inviter cannot see looks like a missing one; one it could see but that does not exist is a 400.
    for (const clientId of Object.keys(clients)) {
      if (!canSee(p, clientId)) throw notFound('Client');
      if (!ctx.clients.get(clientId)) throw invalid(`clients: unknown client "${clientId}"`);
    }
    const ids = Object.keys(clients);
    const allClients = body.allClients ?? false;
    if (allClients && role !== 'operator') throw invalid('allClients: only operators are given every client (admins see every client anyway)');
    if (role === 'admin' && ids.length > 0) throw invalid('clients: admins see every client; give no clients');
    if (role === 'operator' && allClients && ids.length > 0) throw invalid('clients: not together with allClients');
    if (role === 'member' && ids.length !== 1) throw invalid('clients: a member belongs to exactly one client');
    if (!mayInvite(p, role, ids)) throw forbidden('You may not invite this person');
    return { role, clients, allClients: role === 'admin' || allClients };
  };

  app.post('/api/invitations', {
    schema: {
      tags: ['people'], summary: 'Invites a person by email: the link (shown here once) sets their password; emailed when SMTP is configured',
      body: InviteBody,
      response: { 201: Type.Object({ invitation: InvitationBody, link: Type.String({ description: 'the accept link: shown once, only here' }), emailed: Type.Boolean(), delivery: DeliveryBody }), ...errors },
    },
  }, async (request, reply) => {
    const p = request.principal!;
    const email = request.body.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw invalid('email: is not an email address');
    const grant = checkedGrant(p, request.body);
    if (await userWithHashByEmail(db, email)) throw invalid('email: already has an account');
    const pending = await pendingInvitations(db, email);
    if (pending.some((earlier) => !managesInvitation(p, earlier))) throw invalid('email: already has a pending invitation');
    const base = linkBase(ctx, request);
    if (!base) throw invalid('host: this request\'s Host header cannot make a link; set PUBLIC_URL');
    // A new invitation replaces the earlier ones still pending (createInvitation): only the newest link works.
    void pruneInvitations(db).catch(() => {});
    const { invitation, token } = await createInvitation(db, { email, ...grant }, { id: p.userId, label: p.actor.label });
    const link = invitationLink(base, token);
    const delivery = await ctx.mailer.send(invitationEmail(invitation, link, roleText(invitation, clientName)));
    const ids = Object.keys(invitation.clients);
    await audit(ctx, request, {
      action: 'invitation-created', target: email, clientId: ids.length === 1 ? ids[0]! : null,
      details: { role: invitation.role, clients: ids.join(','), allClients: invitation.allClients, delivery: delivery.status, replaced: pending.length },
    });
    return reply.status(201).send({ invitation: invitationOf(invitation), link, emailed: delivery.status === 'sent', delivery: { status: delivery.status, error: delivery.error } });
  });

  app.get('/api/invitations', {
    schema: { tags: ['people'], summary: 'Pending invitations you may see (admins: all; operators: members of their clients)', response: { 200: Type.Array(InvitationBody), ...errors } },
  }, async (request) => {
    const p = request.principal!;
    if (p.role === 'member') throw forbidden('Members do not manage invitations');
    return (await pendingInvitations(db)).filter((i) => managesInvitation(p, i)).map(invitationOf);
  });

  app.delete('/api/invitations/:id', {
    schema: {
      tags: ['people'], summary: 'Withdraws a pending invitation: its link stops working at once',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...errors },
    },
  }, async (request, reply) => {
    const p = request.principal!;
    if (p.role === 'member') throw forbidden('Members do not manage invitations');
    const invitation = await invitationById(db, request.params.id);
    if (!invitation || invitation.purpose !== 'invite' || !managesInvitation(p, invitation)) throw notFound('Invitation');
    if (!(await revokeInvitation(db, invitation.id))) throw notFound('Invitation'); // used, withdrawn or expired: not pending
    await audit(ctx, request, { action: 'invitation-revoked', target: invitation.email });
    return reply.status(204).send(null);
  });

  // --- Accepting: the page behind the link, its form, and the same as JSON -------------------------------------

  /** Creates the person from the invitation behind `token` and signs them in; throws what the caller is told. */
  const accept = async (request: FastifyRequest, reply: FastifyReply, token: string, name: string, password: string) => {
    if (!TOKEN_PATTERN.test(token)) throw deadLinkError('unknown');
    const found = await liveLink(ctx, token, 'invite');
    if ('dead' in found) throw deadLinkError(found.dead);
    const { invitation } = found;
    const trimmed = name.trim();
    if (!trimmed) throw invalid('name: is required');
    if (hasControlCharacters(trimmed)) throw invalid('name: must not contain control characters');
    const problem = passwordProblem(password, [invitation.email, trimmed]);
    if (problem) throw invalid(`password: ${problem}`);
    const passwordHash = await hashPassword(password);
    // Once: of two uses at the same moment, one gets the invitation, the other nothing.
    const used = await useToken(db, token, 'invite');
    if (!used) throw deadLinkError('used');
    const user = await createUser(db, { email: used.email, name: trimmed, role: used.role!, allClients: used.allClients, clients: used.clients, passwordHash });
    if (!user) throw new ApiError(409, 'CONFLICT', 'email: already has an account: sign in, or reset the password');
    await ctx.access.refresh(); // the first person closes an open platform
    const principal = await signInAfterLink(ctx, request, reply, user.id, 'invitation');
    await audit(ctx, request, {
      action: 'invitation-accepted', target: user.email, clientId: Object.keys(user.clients).length === 1 ? Object.keys(user.clients)[0]! : null,
      details: { role: user.role, clients: Object.keys(user.clients).join(',') },
    }, principal.actor);
    return principal;
  };

  const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });

  app.get('/invitations/:token', { config: { public: true }, schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const found = TOKEN_PATTERN.test(token) ? await liveLink(ctx, token, 'invite') : { dead: 'unknown' as const };
    if ('dead' in found) return linkPageHeaders(reply.status(deadLinkStatus(found.dead))).send(linkGonePage('invite', found.dead));
    const { invitation } = found;
    return linkPageHeaders(reply).send(invitationPage({ token, email: invitation.email, role: roleText(invitation, clientName) }));
  });

  app.post('/invitations/:token', {
    config: { public: true, rateLimit: throttled },
    schema: { hide: true, params: TokenParams, body: Type.Object({ ...AcceptBody, username: Type.Optional(Type.String({ maxLength: 320 })) }) },
  }, async (request, reply) => {
    const { token } = request.params;
    try {
      await accept(request, reply, token, request.body.name, request.body.password);
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode >= 500) throw error;
      const dead = deadLinkOf(error);
      if (dead) return linkPageHeaders(reply.status(error.statusCode)).send(linkGonePage('invite', dead));
      if (error.statusCode === 409) {
        return linkPageHeaders(reply.status(409)).send(messagePage('You have an account already', 'An account with this email exists: sign in, or reset its password from the sign-in page.'));
      }
      // A weak password or a missing name: the form again, saying what to change.
      const found = await liveLink(ctx, token, 'invite');
      if ('dead' in found) return linkPageHeaders(reply.status(deadLinkStatus(found.dead))).send(linkGonePage('invite', found.dead));
      const message = error.message.replace(/^password: /, 'The password ').replace(/^name: /, 'Your name ');
      return linkPageHeaders(reply.status(400)).send(invitationPage({
        token, email: found.invitation.email, role: roleText(found.invitation, clientName), name: request.body.name, error: `${message}.`,
      }));
    }
    return reply.header('cache-control', 'no-store').redirect('/', 303);
  });

  app.post('/api/invitations/accept', {
    config: { public: true, rateLimit: throttled },
    schema: {
      tags: ['people'], summary: 'Accepts an invitation: creates the person with its role and clients, and signs them in (sets the session cookie)', security: [],
      body: Type.Object({ token: Type.String({ maxLength: 200 }), ...AcceptBody }, { additionalProperties: false }),
      response: { 200: MeBody, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody, 410: ErrorBody },
    },
  }, async (request, reply) => {
    const principal = await accept(request, reply, request.body.token, request.body.name, request.body.password);
    return meOf(principal, ctx);
  });
};
