import type { FastifyInstance } from 'fastify';
import { InvalidParameterError } from '../../analytics/errors.ts';
import { getSessionDetail, sessionExists } from '../../analytics/getSessionDetail.ts';
import { transcriptSource, type ChatMessage } from '../../analytics/sessionRecords.ts';
import { canonicalTimeZone } from '../../config/timezone.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { csvStream, localTimestamp, wantsCsv } from '../csv.ts';
import { notFound } from '../errors.ts';
import { errorResponses, visibleClient } from '../metricRoute.ts';
import { SessionDetailBody, SessionDetailParams, SessionDetailQuery } from '../schemas/conversations.ts';

/** Rows fetched per round trip while a whole transcript streams out as CSV. */
const EXPORT_BATCH = 1000;
/** A reader that stops reading would hold the export's connection and transaction: give up on it after this. */
const EXPORT_STALL_MS = 30_000;

type Query = { tz?: string; format?: string; messagesOffset?: number; messagesLimit?: number };

/**
 * `/api/{clientId}/sessions/{sessionId}`: one session in full. JSON pages the transcript (`messagesOffset`,
 * `messagesLimit`, at most 1,000 messages a page); CSV is the whole transcript, streamed through a cursor, so a
 * session with half a million messages costs one batch of memory, not the lot.
 */
export async function sessionDetailRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }) {
  app.get<{ Params: { clientId: string; sessionId: string }; Querystring: Query }>('/api/:clientId/sessions/:sessionId', {
    schema: {
      tags: ['analytics'],
      summary: 'One session: steps, funnel timeline, chat transcript (paged), leads and agent connections',
      description: 'CSV (`format=csv` or `Accept: text/csv`) is the whole transcript, in local time (`tz` or the client\'s zone).',
      params: SessionDetailParams,
      querystring: SessionDetailQuery,
      response: { 200: SessionDetailBody, ...errorResponses },
    },
  }, async (request, reply) => {
    const client = visibleClient(ctx, request, request.params.clientId);
    const { tz, messagesOffset = 0, messagesLimit } = request.query;
    const timezone = tz ? canonicalTimeZone(tz) : client.timezone;
    if (!timezone) throw new InvalidParameterError('tz', `"${tz}" is not an IANA time zone`);
    const { sessionId } = request.params;
    const db = ctx.databases.forClient(client.id);
    const source = await ctx.databases.source(client.id);

    if (wantsCsv(request)) {
      if (!(await sessionExists(db, source, sessionId))) throw notFound('Session');
      const transcript = transcriptSource(source);
      const filename = `${client.id}-session-${sessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80)}`;
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}.csv"`);
      reply.raw.setTimeout(EXPORT_STALL_MS, () => reply.raw.destroy());
      await audit(ctx, request, { action: 'export', clientId: client.id, target: 'transcript', details: { session: sessionId.slice(0, 200) } });
      if (!transcript.available) return reply.send(csvStream(['available', 'reason'], [[[false, transcript.reason]]]));
      const rows = async function* () {
        for await (const batch of db.stream<ChatMessage>(transcript.sql, [sessionId], EXPORT_BATCH)) {
          yield batch.map((m) => [localTimestamp(m.at, timezone), m.role, m.normalizedRole, m.text]);
        }
      };
      return reply.send(csvStream(['at', 'role', 'normalized_role', 'text'], rows()));
    }

    const detail = await getSessionDetail(db, source, sessionId, { offset: messagesOffset, limit: messagesLimit ?? 1000 });
    if (!detail) throw notFound('Session');
    return { clientId: client.id, timezone, ...detail };
  });
}
