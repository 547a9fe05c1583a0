import type { FastifyInstance } from 'fastify';
import * as answers from '../../answers/metrics.ts';
import type { ApiContext } from '../context.ts';
import { conversationsCsv, leadSourcesCsv } from '../csvTables/conversations.ts';
import { registerMetric } from '../metricRoute.ts';
import { ConversationFields, ConversationsBody, LeadSourceFields, LeadSourcesBody } from '../schemas/conversations.ts';

/** Conversations (ChatLog) and leads by source. */
export async function conversationRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }) {
  registerMetric(app, ctx, {
    metric: answers.conversations, summary: 'Chat conversations: messages, roles, length and containment', fields: ConversationFields,
    body: ConversationsBody, csv: conversationsCsv,
  });
  registerMetric(app, ctx, {
    metric: answers.leadSources, summary: 'Leads per source: share, capture rate, human requests', fields: LeadSourceFields,
    body: LeadSourcesBody, csv: leadSourcesCsv,
  });
}
