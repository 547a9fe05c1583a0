import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DateTime } from 'luxon';
import { hasControlCharacters, InvalidParameterError } from '../../analytics/errors.ts';
import { isAdmin, mayCreateTokens, mayManageClientTokens } from '../../access/permissions.ts';
import { canSee, type Principal } from '../../access/principal.ts';
import { createToken, listTokens, revokeToken, tokenById, type NewToken, type Token } from '../../access/tokens.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { ErrorBody } from '../schemas/common.ts';
import { CreatedTokenBody, NewTokenBody, TokenBody, tokenOf } from '../schemas/tokens.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
/** The longest a token may live. */
export const MAX_TOKEN_YEARS = 3;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * Whether `p` may see and revoke `token`: admins every token; a person their own personal tokens; whoever may manage
 * a client's service tokens (its editors, operators who see it) those. Anyone else's token looks like a missing one.
 */
function manages(p: Principal, token: Token): boolean {
  if (isAdmin(p)) return true;
  if (token.kind === 'personal') return p.userId !== null && token.userId === p.userId;
  return token.clientId !== null && mayManageClientTokens(p, token.clientId);
}

/** An RFC 3339 date-time in the future, at most `MAX_TOKEN_YEARS` ahead (real time: the database checks expiry). */
function expiryOf(value: string | null | undefined): Date | null {
  if (value === undefined || value === null) return null;
  const at = DATE_TIME.test(value) ? DateTime.fromISO(value.replace(' ', 'T'), { setZone: true }) : null;
  if (!at?.isValid) throw new InvalidParameterError('expiresAt', 'expected an RFC 3339 date-time with offset (2030-01-31T00:00:00Z)');
  const now = DateTime.now();
  if (at <= now) throw new InvalidParameterError('expiresAt', 'must be in the future');
  if (at > now.plus({ years: MAX_TOKEN_YEARS })) throw new InvalidParameterError('expiresAt', `must be at most ${MAX_TOKEN_YEARS} years from now`);
  return at.toJSDate();
}

function nameOf(value: string): string {
  const name = value.trim();
  if (name === '') throw new InvalidParameterError('name', 'must not be blank');
  if (hasControlCharacters(name)) throw new InvalidParameterError('name', 'must not contain control characters');
  return name;
}

/**
 * `/api/tokens`: personal tokens (act as their owner does) and per-client service tokens (read that client), created
 * by a signed-in person, shown once, revoked at once.
 */
export const tokenRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const db = ctx.platform;

  app.get('/api/tokens', {
    schema: {
      tags: ['tokens'], summary: 'Your personal tokens, and the service tokens of the clients whose tokens you manage (admins: every token); never a secret',
      response: { 200: Type.Array(TokenBody), ...errors },
    },
  }, async (request) => {
    const p = request.principal!;
    const clientIds = ctx.clients.list().map((c) => c.id).filter((id) => mayManageClientTokens(p, id));
    return (await listTokens(db, { everything: isAdmin(p), ownerId: p.userId, clientIds })).map(tokenOf);
  });

  app.post('/api/tokens', {
    schema: {
      tags: ['tokens'], summary: 'Creates a personal token, or a service token for a client whose tokens you manage; the answer holds its secret, this once',
      body: NewTokenBody, response: { 201: CreatedTokenBody, ...errors },
    },
  }, async (request, reply) => {
    const p = request.principal!;
    if (!mayCreateTokens(p) || p.userId === null) throw forbidden('Tokens are created by a signed-in person, not with a key or another token');
    const body = request.body;
    const name = nameOf(body.name);
    const expiresAt = expiryOf(body.expiresAt);
    let spec: NewToken;
    if (body.kind === 'personal') {
      if (body.clientId !== undefined) throw new InvalidParameterError('clientId', 'only service tokens belong to a client');
      spec = { kind: 'personal', userId: p.userId, name, expiresAt, createdBy: p.userId };
    } else {
      const clientId = body.clientId;
      if (clientId === undefined || clientId === '') throw new InvalidParameterError('clientId', 'is required for a service token');
      const client = ctx.clients.get(clientId);
      // A client you cannot see is answered exactly like one that does not exist.
      if (!client || !canSee(p, clientId)) {
        if (p.clients === 'all') throw new InvalidParameterError('clientId', 'unknown client');
        throw notFound('Client');
      }
      if (!mayManageClientTokens(p, clientId)) throw forbidden("Only the client's editors, its operators and admins manage its service tokens");
      spec = { kind: 'service', clientId, name, expiresAt, createdBy: p.userId };
    }
    const { secret, token } = await createToken(db, spec);
    await audit(ctx, request, { action: 'token-created', target: token.name, clientId: token.clientId, details: { kind: token.kind, prefix: token.prefix } });
    return reply.status(201).header('cache-control', 'no-store').send({ token: secret, ...tokenOf(token) });
  });

  app.delete('/api/tokens/:id', {
    schema: {
      tags: ['tokens'], summary: 'Revokes a token: its very next request is refused, on every replica',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...errors },
    },
  }, async (request, reply) => {
    const p = request.principal!;
    const token = await tokenById(db, request.params.id);
    if (!token || !manages(p, token)) throw notFound('Token');
    if (token.revokedAt === null) {
      const revoked = (await revokeToken(db, token.id))!;
      await audit(ctx, request, { action: 'token-revoked', target: revoked.name, clientId: revoked.clientId, details: { kind: revoked.kind, prefix: revoked.prefix } });
    }
    return reply.status(204).send(null);
  });
};
