import type pg from 'pg';
import { describeSource, userEventsOf } from '../src/tenants/clientSource.ts';
import { anchor } from '../src/analytics/sql.ts';
import { insertSessionsSql } from './dataSql.ts';

export const CHURN_SESSIONS = 10_000;
const ID_PREFIX = 'bench-churn-';
const BACKUP = '"bench_churn_backup"';

/**
 * New rows: most started in the last hour, one in ten arrives late (started up to 3 days ago); all written now.
 * Their funnel follows the same model as the data set.
 */
const newSessionStarts = `SELECT '${ID_PREFIX}' || g AS id,
       ($1::timestamptz AT TIME ZONE 'UTC')
         - CASE WHEN random() < 0.9 THEN random() * interval '1 hour' ELSE random() * interval '3 days' END AS created
  FROM generate_series(1, ${CHURN_SESSIONS}) AS g`;

/**
 * What a refresh has to catch up with: `CHURN_SESSIONS` new sessions, and as many recent sessions that gain a step
 * (the widget opened after the page load). The changed rows are backed up so `revertChurn` restores the data set.
 */
export async function applyChurn(db: pg.Client, now: Date): Promise<{ insertMs: number; updateMs: number }> {
  await revertChurn(db);
  const at = anchor(userEventsOf(await describeSource(db, 'public')));
  let started = performance.now();
  await db.query(insertSessionsSql(newSessionStarts, '$1::timestamptz', `($1::timestamptz AT TIME ZONE 'UTC')`), [now.toISOString()]);
  const insertMs = performance.now() - started;
  started = performance.now();
  await db.query('BEGIN');
  await db.query(`CREATE TABLE ${BACKUP} AS
    SELECT "sessionId", "widgetOpened", "updatedAt" FROM "UserEvents"
     WHERE "pageLoaded" IS NOT NULL AND "widgetOpened" IS NULL AND "sessionId" NOT LIKE '${ID_PREFIX}%'
     ORDER BY ${at} DESC LIMIT ${CHURN_SESSIONS}`);
  await db.query(`UPDATE "UserEvents" u
      SET "widgetOpened" = u."pageLoaded" + interval '30 seconds', "updatedAt" = ($1::timestamptz AT TIME ZONE 'UTC')
     FROM ${BACKUP} b WHERE u."sessionId" = b."sessionId"`, [now.toISOString()]);
  await db.query('COMMIT');
  return { insertMs, updateMs: performance.now() - started };
}

/** Puts the data set back as it was built (idempotent; also cleans up after an interrupted run). */
export async function revertChurn(db: pg.Client): Promise<void> {
  await db.query(`DELETE FROM "UserEvents" WHERE "sessionId" LIKE '${ID_PREFIX}%'`);
  const { rows } = await db.query<{ present: boolean }>(`SELECT to_regclass('${BACKUP}') IS NOT NULL AS present`);
  if (!rows[0]!.present) return;
  await db.query(`UPDATE "UserEvents" u SET "widgetOpened" = b."widgetOpened", "updatedAt" = b."updatedAt"
                    FROM ${BACKUP} b WHERE u."sessionId" = b."sessionId"`);
  await db.query(`DROP TABLE ${BACKUP}`);
}
