import type { FastifyRequest } from 'fastify';
import { recordAudit, type AuditActor, type AuditEvent } from '../access/audit.ts';
import type { ApiContext } from './context.ts';

/**
 * Records what the request's principal (or `actor`) did. A failure to write is logged, not answered: the action has
 * happened, and the person should hear that it did.
 */
export async function audit(ctx: ApiContext, request: FastifyRequest, event: AuditEvent, actor?: AuditActor): Promise<void> {
  const who = actor ?? request.principal?.actor ?? { kind: 'anonymous', id: null, label: 'anonymous' };
  try {
    await recordAudit(ctx.platform, who, request.ip, event);
  } catch (error) {
    request.log.error({ code: (error as { code?: string }).code, action: event.action }, 'the audit log could not be written');
  }
}
