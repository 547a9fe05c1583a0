import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { hashPassword, passwordProblem, verifyPassword } from '../../access/passwords.ts';
import { isAdmin, mayManagePeople } from '../../access/permissions.ts';
import type { Principal } from '../../access/principal.ts';
import { endSessionsOf } from '../../access/sessions.ts';
import { deleteUser, listUsers, setPasswordHash, updateUser, userById, userWithHashByEmail, type User, type UserChange } from '../../access/users.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { sessionToken } from '../session.ts';
import { ErrorBody } from '../schemas/common.ts';
import { PersonBody, PersonChange, personOf } from '../schemas/people.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
const signedInPerson = (p: Principal) => {
  if (p.userId === null) throw forbidden('Only a signed-in person has an account (this is a key or a service token)');
  return p.userId;
};

/**
 * Whether `p` may see and manage `user`: admins anyone; operators the members of clients they see (and
 * themselves); members only themselves. Anyone else's account looks like a missing one.
 */
function manages(p: Principal, user: User): boolean {
  if (isAdmin(p) || p.userId === user.id) return true;
  if (p.role !== 'operator' || user.role !== 'member') return false;
  return Object.keys(user.clients).every((clientId) => p.clients === 'all' || p.clients.has(clientId));
}

/** `/api/users` (people) and `/api/me/password`: who can sign in, their role and clients, their sessions. */
export const peopleRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const db = ctx.platform;
  const found = async (request: FastifyRequest, id: string) => {
    const user = await userById(db, id);
    if (!user || !manages(request.principal!, user)) throw notFound('Person');
    return user;
  };

  app.get('/api/users', {
    schema: { tags: ['people'], summary: 'People you manage (admins: everyone; operators: members of their clients)', response: { 200: Type.Array(PersonBody), ...errors } },
  }, async (request) => {
    const p = request.principal!;
    if (!mayManagePeople(p)) throw forbidden('Members do not manage people');
    return (await listUsers(db)).filter((user) => manages(p, user)).map(personOf);
  });

  app.get('/api/users/:id', {
    schema: { tags: ['people'], summary: 'One person', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: PersonBody, ...errors } },
  }, async (request) => personOf(await found(request, request.params.id)));

  app.patch('/api/users/:id', {
    schema: {
      tags: ['people'], summary: "Changes a person's name, role, clients, or disables them (which ends their sessions)",
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }), body: PersonChange, response: { 200: PersonBody, ...errors },
    },
  }, async (request) => {
    const p = request.principal!;
    const user = await found(request, request.params.id);
    const change = request.body as UserChange;
    const self = p.userId === user.id;
    const touchesAccess = change.role !== undefined || change.allClients !== undefined || change.clients !== undefined || change.disabled !== undefined;
    if (self && touchesAccess) throw forbidden('Nobody changes their own role, clients or access');
    if (!isAdmin(p)) {
      if (change.role !== undefined && change.role !== 'member') throw forbidden('Operators may only manage members');
      for (const clientId of Object.keys(change.clients ?? {})) {
        if (p.clients !== 'all' && !p.clients.has(clientId)) throw new ApiError(400, 'INVALID_PARAMETER', `clients: unknown client "${clientId}"`);
      }
      if (change.allClients) throw forbidden('Only admins give access to every client');
    }
    for (const clientId of Object.keys(change.clients ?? {})) {
      if (!ctx.clients.get(clientId)) throw new ApiError(400, 'INVALID_PARAMETER', `clients: unknown client "${clientId}"`);
    }
    const role = change.role ?? user.role;
    const clients = change.clients ?? user.clients;
    if (role === 'member' && Object.keys(clients).length !== 1) throw new ApiError(400, 'INVALID_PARAMETER', 'clients: a member belongs to exactly one client');
    if (role === 'member' && change.allClients) throw new ApiError(400, 'INVALID_PARAMETER', 'allClients: only operators are given every client');
    if (change.name !== undefined) {
      change.name = change.name.trim();
      if (!change.name) throw new ApiError(400, 'INVALID_PARAMETER', 'name: must not be blank');
    }
    // Only an admin who can sign in counts: a disabled one may be demoted or removed while another admin remains.
    const losesAdmin = user.role === 'admin' && !user.disabled && (role !== 'admin' || change.disabled === true);
    const updated = await updateUser(db, user.id, change, { keepAnAdmin: losesAdmin });
    if (!updated) throw (await userById(db, user.id)) ? new ApiError(400, 'INVALID_PARAMETER', 'role: the last admin must stay an admin') : notFound('Person');
    if (change.disabled) await endSessionsOf(db, user.id);
    await audit(ctx, request, { action: 'person-changed', target: user.email, details: {
      role: updated.role, allClients: updated.allClients, disabled: updated.disabled, clients: Object.keys(updated.clients).join(','),
    } });
    return personOf(updated);
  });

  app.delete('/api/users/:id', {
    schema: { tags: ['people'], summary: 'Removes a person: their sessions and personal tokens end at once', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...errors } },
  }, async (request, reply) => {
    const p = request.principal!;
    const user = await found(request, request.params.id);
    if (p.userId === user.id) throw forbidden('Nobody removes themselves');
    // Sessions (and tokens) go with the person: ON DELETE CASCADE.
    if (!(await deleteUser(db, user.id, { keepAnAdmin: true }))) {
      throw (await userById(db, user.id)) ? new ApiError(400, 'INVALID_PARAMETER', 'id: the last admin cannot be removed') : notFound('Person');
    }
    await audit(ctx, request, { action: 'person-removed', target: user.email });
    return reply.status(204).send(null);
  });

  app.post('/api/users/:id/sign-out-everywhere', {
    schema: { tags: ['people'], summary: "Ends every session of a person, on every replica", params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Type.Object({ ended: Type.Integer() }), ...errors } },
  }, async (request) => {
    const user = await found(request, request.params.id);
    const ended = await endSessionsOf(db, user.id);
    await audit(ctx, request, { action: 'sign-out-everywhere', target: user.email, details: { ended } });
    return { ended };
  });

  app.post('/api/me/password', {
    schema: {
      tags: ['people'], summary: 'Changes your password; your other sessions end',
      body: Type.Object({ current: Type.String({ maxLength: 1024 }), password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errors },
    },
  }, async (request, reply) => {
    const userId = signedInPerson(request.principal!);
    const me = (await userById(db, userId))!;
    const stored = await userWithHashByEmail(db, me.email);
    if (!(await verifyPassword(request.body.current, stored?.passwordHash ?? null))) throw new ApiError(400, 'INVALID_PARAMETER', 'current: is not your password');
    const problem = passwordProblem(request.body.password, [me.email, me.name]);
    if (problem) throw new ApiError(400, 'INVALID_PARAMETER', `password: ${problem}`);
    await setPasswordHash(db, userId, await hashPassword(request.body.password));
    await endSessionsOf(db, userId, sessionToken(request));
    await audit(ctx, request, { action: 'password-changed', target: me.email });
    return reply.status(204).send(null);
  });
};
