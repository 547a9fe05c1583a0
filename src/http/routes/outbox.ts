import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { mayManagePlatform } from '../../access/permissions.ts';
import { listOutbox } from '../../notify/outbox.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ErrorBody, Nullable } from '../schemas/common.ts';

const Message = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Nullable(Type.String()),
  attachments: Type.Array(Type.Object({ filename: Type.String(), contentType: Nullable(Type.String()), size: Type.Integer() })),
  linksRemoved: Type.Boolean({ description: 'a link that signs someone in (invitation, reset) was replaced by "[link removed]": the outbox never keeps one' }),
  status: Type.Union([Type.Literal('sent'), Type.Literal('failed'), Type.Literal('outbox-only')], {
    description: 'sent over SMTP; failed (see error); outbox-only: not sent (no SMTP_URL, or demo data)',
  }),
  error: Nullable(Type.String({ description: 'an error code and the SMTP reply code, e.g. "EENVELOPE 550"' })),
  attempts: Type.Integer(),
});

/** `GET /api/outbox`: every email the platform sent or kept, newest first, for admins. */
export const outboxRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/outbox', {
    schema: {
      tags: ['access'], summary: 'Emails sent, failed, or kept without SMTP (admins); links that sign someone in are never kept',
      querystring: Type.Object({
        before: Type.Optional(Type.Integer({ minimum: 1, description: 'the nextBefore of the previous page' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
      }),
      response: { 200: Type.Object({ messages: Type.Array(Message), nextBefore: Nullable(Type.Integer()) }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
    },
  }, async (request) => {
    if (!mayManagePlatform(request.principal!)) throw new ApiError(403, 'FORBIDDEN', 'Only admins read the outbox');
    const limit = request.query.limit ?? 50;
    const messages = await listOutbox(ctx.platform, { before: request.query.before, limit });
    return { messages, nextBefore: messages.length === limit ? messages.at(-1)!.id : null };
  });
};
