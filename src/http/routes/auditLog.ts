import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listAudit, type AuditAction } from '../../access/audit.ts';
import { mayManagePlatform } from '../../access/permissions.ts';
import { InvalidParameterError } from '../../analytics/errors.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { csvStream, wantsCsv } from '../csv.ts';
import { ApiError } from '../errors.ts';
import { ErrorBody } from '../schemas/common.ts';

const Entry = Type.Object({
  id: Type.Integer(), at: Type.String(),
  actor: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]), label: Type.String() }),
  ip: Type.Union([Type.String(), Type.Null()]), action: Type.String(), target: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.Union([Type.String(), Type.Null()]), details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
});

const instant = (field: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) throw new InvalidParameterError(field, 'expected a date or an RFC 3339 date-time');
  return at;
};

/** `GET /api/audit`: who did what and when, newest first, for admins; `format=csv` exports it (and that is audited too). */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/audit', {
    schema: {
      tags: ['access'], summary: 'The audit log (admins)',
      querystring: Type.Object({
        from: Type.Optional(Type.String({ maxLength: 40 })), to: Type.Optional(Type.String({ maxLength: 40 })),
        action: Type.Optional(Type.String({ maxLength: 40, pattern: '^[a-z-]+$' })), clientId: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z0-9-]+$' })),
        actor: Type.Optional(Type.String({ maxLength: 64 })), before: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
      }),
      response: { 200: Type.Object({ entries: Type.Array(Entry), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
    },
  }, async (request, reply) => {
    if (!mayManagePlatform(request.principal!)) throw new ApiError(403, 'FORBIDDEN', 'Only admins read the audit log');
    const q = request.query;
    const filter = { from: instant('from', q.from), to: instant('to', q.to), action: q.action as AuditAction | undefined, clientId: q.clientId, actorId: q.actor };
    if (wantsCsv(request)) {
      await audit(ctx, request, { action: 'audit-exported' });
      // Every entry the filter selects, a thousand at a time, newest first.
      const pages = async function* () {
        for (let before: number | undefined; ;) {
          const entries = await listAudit(ctx.platform, { ...filter, before, limit: 1000 });
          if (entries.length === 0) return;
          yield entries.map((e) => [e.at, e.actor.kind, e.actor.label, e.ip, e.action, e.target, e.clientId, JSON.stringify(e.details)]);
          before = entries.at(-1)!.id;
        }
      };
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit.csv"');
      return reply.send(csvStream(['at', 'actor_kind', 'actor', 'ip', 'action', 'target', 'client_id', 'details'], pages()) as never);
    }
    const limit = q.limit ?? 100;
    const entries = await listAudit(ctx.platform, { ...filter, before: q.before, limit });
    return { entries, nextBefore: entries.length === limit ? entries.at(-1)!.id : null };
  });
};
