import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { mayManageChannels, mayUseChannel } from '../../access/permissions.ts';
import { listAttempts } from '../../notify/delivery/attempts.ts';
import {
  createChannel, deleteChannel, getChannel, LISTENABLE_KINDS, listChannels, updateChannel, type Channel, type ChannelChange,
} from '../../notify/delivery/channels.ts';
import { deliverToChannel, type DeliveryDeps } from '../../notify/delivery/deliver.ts';
import { newWebhookSecret } from '../../notify/delivery/signature.ts';
import { testNotification } from '../../notify/delivery/testNotification.ts';
import { webhookUrlProblem } from '../../notify/delivery/webhookAddress.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { AttemptBody, ChannelBody, ChannelChangeBody, CreatedChannelBody, NewChannelBody, TestResultBody } from '../schemas/channels.ts';
import { ErrorBody } from '../schemas/common.ts';
import { EMAIL } from './invitations.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };
const invalid = (field: string, message: string) => new ApiError(400, 'INVALID_PARAMETER', `${field}: ${message}`);
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/**
 * `/api/channels`: where alerts are delivered — email lists and webhooks (signed JSON, or Slack-compatible). Admins
 * manage every channel; operators those listening only for clients they see. A webhook's secret is generated here
 * and shown once in the 201; its URL and secret are stored encrypted and never come out again.
 */
export const channelRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const db = ctx.platform;
  const box = () => ctx.managedClients?.box ?? null;
  const deps = (): DeliveryDeps => ({ db, box: box(), mailer: ctx.mailer, allowPrivateAddresses: !ctx.production, now: () => new Date() });

  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!mayManageChannels(request.principal!)) throw new ApiError(403, 'FORBIDDEN', 'Only admins and operators manage notification channels');
  });

  /** A channel the principal may manage; any other (or no such) is 404. */
  const visible = async (request: FastifyRequest, id: string): Promise<Channel> => {
    const channel = await getChannel(db, id);
    if (!channel || !mayUseChannel(request.principal!, channel.clientIds)) throw notFound('Channel');
    return channel;
  };

  /** Known clients the principal sees; null (every client) only for who sees them all. */
  const clientIdsOf = (request: FastifyRequest, ids: string[] | null): string[] | null => {
    const principal = request.principal!;
    if (ids === null) {
      if (principal.clients !== 'all') throw invalid('clientIds', 'choose the clients it listens for (only those who see every client may choose all)');
      return null;
    }
    if (ids.length === 0) throw invalid('clientIds', 'choose at least one client, or null for every client');
    const unknown = ids.find((id) => !ctx.clients.get(id) || !mayUseChannel(principal, [id]));
    if (unknown !== undefined) throw invalid('clientIds', `"${unknown.slice(0, 64)}" is not a client you see`);
    return ids;
  };

  const addressesOf = (values: string[]) => {
    const addresses = values.map((v) => v.trim().toLowerCase());
    const bad = addresses.find((a) => !EMAIL.test(a));
    if (bad !== undefined) throw invalid('addresses', `"${bad.slice(0, 100)}" is not an email address`);
    return addresses;
  };

  const urlOf = (value: string) => {
    const problem = webhookUrlProblem(value.trim(), !ctx.production);
    if (problem) throw invalid('url', problem);
    if (!box()) throw new ApiError(503, 'ENCRYPTION_NOT_CONFIGURED', 'ENCRYPTION_KEYS is not set: a webhook URL and secret can only be saved encrypted; set ENCRYPTION_KEYS and restart');
    return value.trim();
  };

  app.get('/api/channels', {
    schema: { tags: ['notifications'], summary: 'Notification channels you manage', response: { 200: Type.Array(ChannelBody), ...errors } },
  }, async (request) => (await listChannels(db)).filter((c) => mayUseChannel(request.principal!, c.clientIds)));

  app.post('/api/channels', {
    schema: {
      tags: ['notifications'], summary: 'Adds a channel; a webhook\'s signing secret is in this answer only', body: NewChannelBody,
      response: { 201: CreatedChannelBody, ...errors },
    },
  }, async (request, reply) => {
    const body = request.body;
    const name = body.name.trim();
    if (!name) throw invalid('name', 'must not be blank');
    const email = body.kind === 'email';
    if (email && body.url !== undefined) throw invalid('url', 'an email channel has no URL');
    if (!email && (body.addresses !== undefined || body.toMembers !== undefined)) throw invalid(body.addresses !== undefined ? 'addresses' : 'toMembers', 'only an email channel has recipients');
    if (!email && body.url === undefined) throw invalid('url', `is required for a ${body.kind} channel`);
    const addresses = addressesOf(body.addresses ?? []);
    const toMembers = body.toMembers ?? false;
    if (email && toMembers === (addresses.length > 0)) throw invalid('addresses', 'give addresses, or toMembers: true (not both)');
    const clientIds = clientIdsOf(request, body.clientIds === undefined ? (request.principal!.clients === 'all' ? null : []) : body.clientIds);
    const secret = email ? null : newWebhookSecret();
    const channel = await createChannel(db, box(), {
      name, kind: body.kind, addresses, toMembers, webhook: email ? null : { url: urlOf(body.url!), secret: secret! }, clientIds,
      kinds: body.kinds ?? [...LISTENABLE_KINDS], enabled: body.enabled ?? true,
    });
    await audit(ctx, request, { action: 'channel-created', target: channel.name, details: { channel: channel.id, kind: channel.kind, clients: clientIds?.join(',') ?? 'all' } });
    return reply.status(201).send({ channel, secret });
  });

  app.get('/api/channels/:id', {
    schema: { tags: ['notifications'], summary: 'One channel', params: IdParams, response: { 200: ChannelBody, ...errors } },
  }, async (request) => visible(request, request.params.id));

  app.patch('/api/channels/:id', {
    schema: {
      tags: ['notifications'], summary: 'Changes a channel (omitted fields keep theirs; a url replaces the stored one, the secret stays)',
      params: IdParams, body: ChannelChangeBody, response: { 200: ChannelBody, ...errors },
    },
  }, async (request) => {
    const current = await visible(request, request.params.id);
    const body = request.body;
    const email = current.kind === 'email';
    if (email && body.url !== undefined) throw invalid('url', 'an email channel has no URL');
    if (!email && (body.addresses !== undefined || body.toMembers !== undefined)) throw invalid(body.addresses !== undefined ? 'addresses' : 'toMembers', 'only an email channel has recipients');
    const change: ChannelChange = {
      ...(body.name !== undefined ? { name: body.name.trim() || (() => { throw invalid('name', 'must not be blank'); })() } : {}),
      ...(body.addresses !== undefined ? { addresses: addressesOf(body.addresses) } : {}),
      ...(body.toMembers !== undefined ? { toMembers: body.toMembers } : {}),
      ...(body.url !== undefined ? { url: urlOf(body.url) } : {}),
      ...(body.clientIds !== undefined ? { clientIds: clientIdsOf(request, body.clientIds) } : {}),
      ...(body.kinds !== undefined ? { kinds: body.kinds } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    };
    if (email && (change.toMembers ?? current.toMembers) === ((change.addresses ?? current.addresses).length > 0)) {
      throw invalid('addresses', 'give addresses, or toMembers: true (not both)');
    }
    const updated = await updateChannel(db, box(), current.id, change);
    if (!updated) throw notFound('Channel');
    await audit(ctx, request, { action: 'channel-changed', target: updated.name, details: { channel: updated.id, fields: Object.keys(body).sort().join(','), enabled: updated.enabled } });
    return updated;
  });

  app.delete('/api/channels/:id', {
    schema: { tags: ['notifications'], summary: 'Removes a channel and its attempt history', params: IdParams, response: { 204: Type.Null(), ...errors } },
  }, async (request, reply) => {
    const channel = await visible(request, request.params.id);
    if (!(await deleteChannel(db, channel.id))) throw notFound('Channel');
    await audit(ctx, request, { action: 'channel-removed', target: channel.name, details: { channel: channel.id, kind: channel.kind } });
    return reply.status(204).send(null);
  });

  app.post('/api/channels/:id/test', {
    schema: {
      tags: ['notifications'], summary: 'Sends a test notification on the channel now, and says how it went (recorded as an attempt)',
      params: IdParams, response: { 200: TestResultBody, ...errors },
    },
  }, async (request) => {
    const channel = await visible(request, request.params.id);
    const notification = testNotification(channel, `test:${channel.id}:${randomUUID()}`, ctx.publicUrl, request.principal!.actor.label);
    const result = await deliverToChannel(deps(), channel, notification, 1);
    const ok = result.status === 'sent' || result.status === 'outbox-only';
    await audit(ctx, request, { action: 'channel-tested', target: channel.name, details: { channel: channel.id, ok, status: result.status, code: result.code } });
    return { ok, notificationKey: notification.key, status: result.status, code: result.code, error: result.error, durationMs: Math.round(result.durationMs) };
  });

  app.get('/api/channels/:id/attempts', {
    schema: {
      tags: ['notifications'], summary: 'Recent delivery attempts on the channel, newest first',
      params: IdParams, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })) }),
      response: { 200: Type.Array(AttemptBody), ...errors },
    },
  }, async (request) => {
    const channel = await visible(request, request.params.id);
    return listAttempts(db, { channelId: channel.id, limit: request.query.limit ?? 20 });
  });
};
