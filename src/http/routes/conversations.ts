import type { FastifyInstance } from 'fastify';
import { InvalidParameterError } from '../../analytics/errors.ts';
import * as answers from '../../answers/metrics.ts';
import { getSessionDetail } from '../../analytics/getSessionDetail.ts';
import { canonicalTimeZone } from '../../config/timezone.ts';
import type { ApiContext } from '../context.ts';
import { conversationsCsv, leadSourcesCsv, transcriptCsv } from '../csvTables/conversations.ts';
import { notFound } from '../errors.ts';
import { errorResponses, registerMetric, sendAnswer, visibleClient } from '../metricRoute.ts';
import {
  ConversationFields, ConversationsBody, LeadSourceFields, LeadSourcesBody, SessionDetailBody, SessionDetailParams, SessionDetailQuery,
} from '../schemas/conversations.ts';

/** Conversations (ChatLog), leads by source, and one session in full. */
export async function conversationRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }) {
  registerMetric(app, ctx, {
    metric: answers.conversations, summary: 'Chat conversations: messages, roles, length and containment', fields: ConversationFields,
    body: ConversationsBody, csv: conversationsCsv,
  });
  registerMetric(app, ctx, {
    metric: answers.leadSources, summary: 'Leads per source: share, capture rate, human requests', fields: LeadSourceFields,
    body: LeadSourcesBody, csv: leadSourcesCsv,
  });

  app.get<{ Params: { clientId: string; sessionId: string }; Querystring: { tz?: string; format?: string } }>(
    '/api/:clientId/sessions/:sessionId',
    {
      schema: {
        tags: ['analytics'],
        summary: 'One session: steps, funnel timeline, chat transcript, leads and agent connections',
        description: 'CSV (`format=csv` or `Accept: text/csv`) is the transcript, in local time (`tz` or the client\'s zone).',
        params: SessionDetailParams,
        querystring: SessionDetailQuery,
        response: { 200: SessionDetailBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const client = visibleClient(ctx, request, request.params.clientId);
      const { tz } = request.query;
      const timezone = tz ? canonicalTimeZone(tz) : client.timezone;
      if (!timezone) throw new InvalidParameterError('tz', `"${tz}" is not an IANA time zone`);
      const { sessionId } = request.params;
      const detail = await getSessionDetail(ctx.databases.forClient(client.id), await ctx.databases.source(client.id), sessionId);
      if (!detail) throw notFound('Session');
      const body = { clientId: client.id, timezone, ...detail };
      const filename = `${client.id}-session-${sessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80)}`;
      return sendAnswer(request, reply, body, () => transcriptCsv(detail, timezone), filename);
    },
  );
}
