import type { Queryable } from '../../db/queryable.ts';
import { DEFAULT_CRON, type ReportKind } from './schedule.ts';

/** One client's schedule for one kind of report (or the digest's, with client id '*'). */
export interface ReportSchedule {
  clientId: string;
  kind: ReportKind;
  enabled: boolean;
  cron: string;
  /** Chosen addresses; null: the client's members (the digest: operators and admins). */
  recipients: string[] | null;
  /** The digest's time zone (a client's reports use the client's); null there. */
  timezone: string | null;
  /** When the schedule started: nothing that was due before it is sent. */
  createdAt: Date;
  updatedAt: Date;
}

export type ScheduleChange = Partial<Pick<ReportSchedule, 'enabled' | 'cron' | 'recipients' | 'timezone'>>;

const COLUMNS = `client_id AS "clientId", kind, enabled, cron, recipients, timezone, created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * The schedules of these clients, each kind made with its defaults the first time it is asked for: its `created_at`
 * is then, so a platform starting for the first time sends no report for periods that ended before it.
 */
export async function ensureSchedules(db: Queryable, clientIds: readonly string[], kinds: readonly ReportKind[], now: Date, timezone: string | null = null): Promise<ReportSchedule[]> {
  if (clientIds.length === 0) return [];
  // Two statements: a replica that lost the race to insert must see the winner's rows (a new snapshot).
  await db.query(
    `INSERT INTO notify.report_schedules (client_id, kind, cron, timezone, created_at, updated_at)
     SELECT c, k.kind, k.cron, $4, $5, $5 FROM unnest($1::text[]) AS c, unnest($2::text[], $3::text[]) AS k(kind, cron)
     ON CONFLICT (client_id, kind) DO NOTHING`,
    [clientIds, kinds, kinds.map((k) => DEFAULT_CRON[k]), timezone, now],
  );
  const { rows } = await db.query<ReportSchedule>(
    `SELECT ${COLUMNS} FROM notify.report_schedules WHERE client_id = ANY($1::text[]) AND kind = ANY($2::text[]) ORDER BY client_id, kind`,
    [clientIds, kinds],
  );
  return rows;
}

/** One schedule (made with its defaults if it never was). */
export async function scheduleOf(db: Queryable, clientId: string, kind: ReportKind, now: Date): Promise<ReportSchedule> {
  return (await ensureSchedules(db, [clientId], [kind], now, kind === 'digest' ? 'UTC' : null))[0]!;
}

/** Changes what is given; omitted fields stay. The schedule is made first if it never was. */
export async function updateSchedule(db: Queryable, clientId: string, kind: ReportKind, change: ScheduleChange, now: Date): Promise<ReportSchedule> {
  await scheduleOf(db, clientId, kind, now);
  const { rows } = await db.query<ReportSchedule>(
    `UPDATE notify.report_schedules
        SET enabled = COALESCE($3, enabled), cron = COALESCE($4, cron),
            recipients = CASE WHEN $5 THEN $6::jsonb ELSE recipients END,
            timezone = CASE WHEN $7 THEN $8 ELSE timezone END, updated_at = $9
      WHERE client_id = $1 AND kind = $2
      RETURNING ${COLUMNS}`,
    [clientId, kind, change.enabled ?? null, change.cron ?? null, change.recipients !== undefined,
      change.recipients === undefined || change.recipients === null ? null : JSON.stringify(change.recipients),
      change.timezone !== undefined, change.timezone ?? null, now],
  );
  return rows[0]!;
}

/** A removed client's schedules go with it (its runs stay, as the record of what was sent). */
export async function dropSchedules(db: Queryable, clientId: string): Promise<void> {
  await db.query('DELETE FROM notify.report_schedules WHERE client_id = $1', [clientId]);
}
