import type pg from 'pg';
import { durationExpr } from '../analytics/getDuration.ts';
import { boundValues, runQuery, type MetricQuery } from '../analytics/query.ts';
import { anchor, BOUND_PARAMS, inRange } from '../analytics/sql.ts';
import type { Queryable } from '../db/queryable.ts';
import { userEventsOf, type ClientSource, type TableInfo } from '../tenants/clientSource.ts';
import type { ClientSnapshot } from './clientSnapshot.ts';
import { binOf, type BinRow } from './durationSketch.ts';

/**
 * `rollups.duration_days`: per client, UTC day (of the anchor time) and sketch bin, the sessions with a duration and
 * the sum of their durations. Days, not 15-minute buckets: a year is ~365 × a few hundred bins to add up, and the
 * partial days at a range's ends are read raw (as are the counts' partial buckets).
 */
export const DAY_SECONDS = 86_400;
export const DAY_MS = DAY_SECONDS * 1000;

const utcDay = (instant: string) => `(date_trunc('day', ${instant} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

/** Full build: every day from the session records just written (the same snapshot's durations). */
export async function buildDurationDays(tx: pg.PoolClient, clientId: string): Promise<void> {
  await tx.query(
    `INSERT INTO rollups.duration_days (client_id, day, bin, sessions, seconds)
     SELECT $1, ${utcDay('bucket')}, ${binOf('duration_seconds')}, count(*), sum(duration_seconds)
       FROM rollups.sessions WHERE client_id = $1 AND duration_seconds IS NOT NULL
      GROUP BY 2, 3`,
    [clientId],
  );
}

/** Sketch bins of the durations of sessions anchored in the range, from the raw rows (a range's partial days). */
export function rawBinsSql(userEvents: TableInfo, where: string): string {
  return `SELECT bin AS "bin", count(*) AS "sessions", sum(seconds) AS "seconds"
  FROM (SELECT ${binOf('seconds')} AS bin, seconds
          FROM (SELECT ${durationExpr(userEvents)} AS seconds FROM ${userEvents.ref} WHERE ${where}) AS d
         WHERE seconds IS NOT NULL) AS b
 GROUP BY 1`;
}

export function rawDurationBins(db: Queryable, source: ClientSource, q: MetricQuery): Promise<BinRow[]> {
  const userEvents = userEventsOf(source);
  return runQuery<BinRow>(db, rawBinsSql(userEvents, inRange(anchor(userEvents), BOUND_PARAMS)), boundValues(q));
}

/** The bins of whole days [lo, hi) (epoch ms, day-aligned) from rollups. */
export async function rolledDurationBins(platform: Queryable, clientId: string, lo: number, hi: number): Promise<BinRow[]> {
  const { rows } = await platform.query<BinRow>(
    `SELECT bin AS "bin", sum(sessions)::bigint AS "sessions", sum(seconds) AS "seconds" FROM rollups.duration_days
      WHERE client_id = $1 AND day >= to_timestamp($2::bigint) AND day < to_timestamp($3::bigint) GROUP BY bin`,
    [clientId, lo / 1000, hi / 1000],
  );
  return rows.map((r) => ({ bin: Number(r.bin), sessions: Number(r.sessions), seconds: Number(r.seconds) }));
}

/** Replaces the given days (epoch seconds, sorted) of a client with their bins recomputed from the snapshot's rows. */
export async function recomputeDurationDays(
  tx: pg.PoolClient,
  snapshot: ClientSnapshot,
  clientId: string,
  userEvents: TableInfo,
  days: number[],
): Promise<void> {
  if (days.length === 0) return;
  const at = anchor(userEvents);
  // Runs of consecutive days as one range each (an index on the anchor expression serves them).
  const runs: [number, number][] = [];
  for (const day of days) {
    const last = runs[runs.length - 1];
    if (last && last[1] === day) last[1] = day + DAY_SECONDS;
    else runs.push([day, day + DAY_SECONDS]);
  }
  const where = runs.map((_, j) => `(${at} >= to_timestamp($${2 * j + 1}::bigint) AND ${at} < to_timestamp($${2 * j + 2}::bigint))`);
  const rows = await snapshot.query<BinRow & { day: number }>(
    `SELECT day AS "day", ${binOf('seconds')} AS "bin", count(*) AS "sessions", sum(seconds) AS "seconds"
       FROM (SELECT extract(epoch FROM ${utcDay(at)})::bigint AS day, ${durationExpr(userEvents)} AS seconds
               FROM ${userEvents.ref} WHERE ${where.join(' OR ')}) AS d
      WHERE seconds IS NOT NULL
      GROUP BY 1, 2`,
    runs.flat(),
  );
  await tx.query(
    'DELETE FROM rollups.duration_days WHERE client_id = $1 AND day IN (SELECT to_timestamp(d) FROM unnest($2::bigint[]) AS t(d))',
    [clientId, days],
  );
  await tx.query(
    `INSERT INTO rollups.duration_days (client_id, day, bin, sessions, seconds)
     SELECT $1, to_timestamp(d), b, n, s FROM unnest($2::bigint[], $3::smallint[], $4::int[], $5::float8[]) AS t(d, b, n, s)`,
    [clientId, rows.map((r) => Number(r.day)), rows.map((r) => r.bin), rows.map((r) => Number(r.sessions)), rows.map((r) => r.seconds)],
  );
}
