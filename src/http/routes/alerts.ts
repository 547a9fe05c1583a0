import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { mayManageAlerts } from '../../access/permissions.ts';
import { canSee } from '../../access/principal.ts';
import { InvalidParameterError } from '../../analytics/errors.ts';
import { alertHistory, listAlerts } from '../../notify/alerts/alertQueries.ts';
import { ALERT_STATES, type AlertState } from '../../notify/alerts/alertState.ts';
import { readOverrides, writeOverrides } from '../../notify/alerts/ruleStore.ts';
import { effectiveSettings, settingsProblem, type AlertOverrides } from '../../notify/alerts/ruleSettings.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { visibleClient } from '../metricRoute.ts';
import { AlertBody, AlertChangeBody, AlertOverridesBody, AlertRulesBody } from '../schemas/alerts.ts';
import { ErrorBody } from '../schemas/common.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** The names of the settings an override sets, for the audit log (values are not secrets, but names suffice). */
const fieldsOf = (o: AlertOverrides) => [
  ...(o.businessHours !== undefined ? ['businessHours'] : []),
  ...Object.entries(o.rules ?? {}).flatMap(([rule, s]) => Object.keys(s ?? {}).map((k) => `${rule}.${k}`)),
].join(', ').slice(0, 500);

function statesOf(value: string | undefined): AlertState[] | null {
  if (value === undefined || value === '') return null;
  const states = value.split(',').map((s) => s.trim());
  const bad = states.find((s) => !ALERT_STATES.includes(s as AlertState));
  if (bad !== undefined) throw new InvalidParameterError('state', `"${bad.slice(0, 20)}" is not one of ${ALERT_STATES.join(', ')}`);
  return states as AlertState[];
}

/**
 * Alert rules per client (admins and the operators who see it read and change them) and the alerts themselves
 * (everyone, for the clients they see): the current state of each, and the history of changes.
 */
export const alertRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const db = ctx.platform;
  const managedClient = (request: Parameters<typeof visibleClient>[1], id: string) => {
    const client = visibleClient(ctx, request, id);
    if (!mayManageAlerts(request.principal!, id)) throw new ApiError(403, 'FORBIDDEN', 'Only admins and operators manage alert rules');
    return client;
  };
  const answer = async (clientId: string, timezone: string) => {
    const overrides = await readOverrides(db, clientId);
    return { clientId, timezone, ...effectiveSettings(overrides), overrides };
  };

  app.get('/api/clients/:id/alert-rules', {
    schema: {
      tags: ['alerts'], summary: "A client's alert rules as in force (defaults with its overrides), and its overrides",
      params: IdParams, response: { 200: AlertRulesBody, ...errors },
    },
  }, async (request) => {
    const client = managedClient(request, request.params.id);
    return answer(client.id, client.timezone);
  });

  app.put('/api/clients/:id/alert-rules', {
    schema: {
      tags: ['alerts'], summary: "Replaces a client's overrides (left out: the defaults); mutedUntil mutes a rule until then",
      params: IdParams, body: AlertOverridesBody, response: { 200: AlertRulesBody, ...errors },
    },
  }, async (request) => {
    const client = managedClient(request, request.params.id);
    const overrides = request.body;
    const problem = settingsProblem(effectiveSettings(overrides));
    if (problem) throw new ApiError(400, 'INVALID_PARAMETER', problem);
    await writeOverrides(db, client.id, overrides, request.principal!.actor.label);
    await audit(ctx, request, { action: 'alert-rules-changed', target: client.id, clientId: client.id, details: { fields: fieldsOf(overrides) } });
    return answer(client.id, client.timezone);
  });

  app.get('/api/alerts', {
    schema: {
      tags: ['alerts'], summary: 'Current alerts of the clients you see (or one), firing first',
      querystring: Type.Object({
        state: Type.Optional(Type.String({ maxLength: 60, description: 'comma-separated: ok, pending, firing, resolved' })),
        clientId: Type.Optional(Type.String({ maxLength: 64 })),
      }),
      response: { 200: Type.Object({ alerts: Type.Array(AlertBody) }), ...errors },
    },
  }, async (request) => {
    const states = statesOf(request.query.state);
    const ids = request.query.clientId !== undefined
      ? [visibleClient(ctx, request, request.query.clientId).id]
      : ctx.clients.list().map((c) => c.id).filter((id) => canSee(request.principal!, id));
    return { alerts: await listAlerts(db, ids, states) };
  });

  app.get('/api/alerts/history', {
    schema: {
      tags: ['alerts'], summary: 'Changes of alert state of the clients you see (or one), newest first',
      querystring: Type.Object({
        clientId: Type.Optional(Type.String({ maxLength: 64 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        before: Type.Optional(Type.Integer({ minimum: 1, description: 'nextBefore of the previous page' })),
      }),
      response: { 200: Type.Object({ changes: Type.Array(AlertChangeBody), nextBefore: Type.Union([Type.Null(), Type.Integer()]) }), ...errors },
    },
  }, async (request) => {
    const { clientId, limit = 100, before } = request.query;
    const ids = clientId !== undefined
      ? [visibleClient(ctx, request, clientId).id]
      : ctx.clients.list().map((c) => c.id).filter((id) => canSee(request.principal!, id));
    const changes = await alertHistory(db, ids, limit, before ?? null);
    return { changes, nextBefore: changes.length === limit ? changes[changes.length - 1]!.id : null };
  });
};
