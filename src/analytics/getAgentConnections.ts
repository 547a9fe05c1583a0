import type { Queryable } from '../db/queryable.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { BOUND_PARAMS, inRange, instant, localTime, rate, type SqlParams } from './sql.ts';
import type { ClientSource, TableInfo } from '../tenants/clientSource.ts';
import { timingColumns, toTimingStats, type TimingStats } from './timings.ts';

export interface StaffingCell {
  /** ISO weekday of the local request time, 1 = Monday. */
  weekday: number;
  hour: number;
  requested: number;
  /** Requests an agent connected to (`connectedAt` set). */
  answered: number;
}

export type AgentStats =
  | {
      available: true;
      /** Rows of `AgentConnection` whose `requestedAt` is in the range. */
      requested: number;
      connected: number;
      neverConnected: { count: number; share: number | null };
      /** connectedAt − requestedAt, over connected rows where that is not negative. */
      timeToAgent: TimingStats;
      /** endedAt − connectedAt, likewise; null when the table has no `endedAt` column. */
      connectionDuration: TimingStats | null;
      /** 168 cells, Monday 00:00 first, zero-filled. */
      staffing: StaffingCell[];
    }
  | { available: false; reason: string };

const isTimestamp = (table: TableInfo, column: string) => {
  const kind = table.columns.get(column);
  return kind === 'timestamp' || kind === 'timestamptz';
};

/** The `AgentConnection` table when it has what these metrics need, or why not. */
export function agentConnectionsOf(source: ClientSource): { table: TableInfo } | { reason: string } {
  const table = source.tables.AgentConnection;
  if (!table) return { reason: 'The client database has no "AgentConnection" table' };
  const missing = ['requestedAt', 'connectedAt'].filter((column) => !isTimestamp(table, column));
  if (missing.length > 0) return { reason: `"AgentConnection" has no timestamp column(s): ${missing.join(', ')}` };
  return { table };
}

/** Seconds from `start` to `end`, NULL when either is missing or `end` is earlier (a data error). */
const gap = (start: string, end: string) => `CASE WHEN ${end} >= ${start} THEN extract(epoch FROM ${end} - ${start})::float8 END`;

/** Requests in the range (by `requestedAt`), how many connected, and the two timing summaries. */
export function agentConnectionsSql(agent: TableInfo, p: SqlParams = BOUND_PARAMS): string {
  const [requested, connected] = [instant(agent, 'requestedAt'), instant(agent, 'connectedAt')];
  const duration = isTimestamp(agent, 'endedAt') ? gap(connected, instant(agent, 'endedAt')) : 'NULL::float8';
  return `SELECT count(*) AS "requested",
       count(*) FILTER (WHERE c."answered") AS "connected",
       ${timingColumns('c."wait"', 'wait')},
       ${timingColumns('c."duration"', 'duration')}
  FROM (SELECT "connectedAt" IS NOT NULL AS "answered",
               ${gap(requested, connected)} AS "wait",
               ${duration} AS "duration"
          FROM ${agent.ref}
         WHERE ${inRange(requested, p)}) AS c`;
}

/** Requests and answered requests per local ISO weekday × hour of `requestedAt`. */
export function staffingSql(agent: TableInfo, p: SqlParams = BOUND_PARAMS): string {
  const requested = instant(agent, 'requestedAt');
  const local = localTime(requested, p);
  return `SELECT extract(isodow FROM ${local})::int AS "weekday",
       extract(hour FROM ${local})::int AS "hour",
       count(*) AS "requested",
       count(*) FILTER (WHERE "connectedAt" IS NOT NULL) AS "answered"
  FROM ${agent.ref}
 WHERE ${inRange(requested, p)}
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}

export async function getAgentConnections(db: Queryable, source: ClientSource, q: MetricQuery): Promise<AgentStats> {
  const found = agentConnectionsOf(source);
  if ('reason' in found) return { available: false, reason: found.reason };
  const [summaries, cells] = await Promise.all([
    runQuery<Record<string, number>>(db, agentConnectionsSql(found.table), boundValues(q)),
    runQuery<StaffingCell>(db, staffingSql(found.table), boundValues(q)),
  ]);
  const row = summaries[0]!;
  const requested = row.requested ?? 0;
  const neverConnected = requested - (row.connected ?? 0);
  const byCell = new Map(cells.map((cell) => [cell.weekday * 24 + cell.hour, cell]));
  return {
    available: true,
    requested,
    connected: row.connected ?? 0,
    neverConnected: { count: neverConnected, share: rate(neverConnected, requested) },
    timeToAgent: toTimingStats(row, 'wait'),
    connectionDuration: isTimestamp(found.table, 'endedAt') ? toTimingStats(row, 'duration') : null,
    staffing: Array.from({ length: 168 }, (_, i) => {
      const [weekday, hour] = [Math.floor(i / 24) + 1, i % 24];
      const cell = byCell.get(weekday * 24 + hour);
      return { weekday, hour, requested: cell?.requested ?? 0, answered: cell?.answered ?? 0 };
    }),
  };
}
