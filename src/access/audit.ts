import type { Queryable } from '../db/queryable.ts';
import type { Principal } from './principal.ts';

/**
 * The audit log: sign-ins (and failed attempts), invitations, role changes, tokens, client changes, exports, Grafana
 * opens. Admins read and export it. It never holds a secret: details are short named values, and any whose name
 * says password, token, secret, key, url or link is dropped before it is written.
 */
export const AUDIT_ACTIONS = [
  'sign-in', 'sign-in-failed', 'sign-out', 'sign-out-everywhere',
  'person-created', 'person-changed', 'person-removed', 'password-changed', 'password-reset-requested', 'password-reset',
  'invitation-created', 'invitation-accepted', 'invitation-revoked',
  'token-created', 'token-revoked',
  'client-created', 'client-changed', 'client-removed', 'client-tested',
  'export', 'grafana-opened', 'audit-exported',
  'alert-rules-changed',
  'report-settings-changed',
  'channel-created', 'channel-changed', 'channel-removed', 'channel-tested',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditDetail = string | number | boolean | null;

export interface AuditEvent {
  action: AuditAction;
  /** What it was done to: a person's email, a token's name, a client id, a path. */
  target?: string | null;
  clientId?: string | null;
  details?: Record<string, AuditDetail>;
}

/** Who acted: a principal, or someone not signed in (a failed sign-in names the email tried). */
export type AuditActor = Principal['actor'] | { kind: 'anonymous'; id: null; label: string };

export interface AuditEntry {
  id: number;
  at: string;
  actor: { kind: string; id: string | null; label: string };
  ip: string | null;
  action: AuditAction;
  target: string | null;
  clientId: string | null;
  details: Record<string, AuditDetail>;
}

const SECRET_NAME = /password|token|secret|key|url|link|hash|cookie/i;

function clean(details: Record<string, AuditDetail> = {}): Record<string, AuditDetail> {
  return Object.fromEntries(Object.entries(details).filter(([name]) => !SECRET_NAME.test(name))
    .map(([name, value]) => [name, typeof value === 'string' ? value.slice(0, 500) : value]));
}

export async function recordAudit(db: Queryable, actor: AuditActor, ip: string | null, event: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO access.audit (actor_kind, actor_id, actor_label, ip, action, target, client_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [actor.kind, actor.id, actor.label.slice(0, 320), ip, event.action, event.target?.slice(0, 500) ?? null, event.clientId ?? null, JSON.stringify(clean(event.details))],
  );
}

export interface AuditFilter {
  from?: Date;
  to?: Date;
  action?: AuditAction;
  clientId?: string;
  actorId?: string;
  /** Entries older than this id (keyset paging, newest first). */
  before?: number;
  limit: number;
}

export async function listAudit(db: Queryable, filter: AuditFilter): Promise<AuditEntry[]> {
  const { rows } = await db.query<AuditEntry>(
    `SELECT id::int AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
            jsonb_build_object('kind', actor_kind, 'id', actor_id, 'label', actor_label) AS actor,
            ip, action, target, client_id AS "clientId", details
       FROM access.audit
      WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
        AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR client_id = $4)
        AND ($5::text IS NULL OR actor_id = $5) AND ($6::bigint IS NULL OR id < $6)
      ORDER BY at DESC, id DESC
      LIMIT $7`,
    [filter.from ?? null, filter.to ?? null, filter.action ?? null, filter.clientId ?? null, filter.actorId ?? null, filter.before ?? null, filter.limit],
  );
  return rows;
}
