import { DateTime } from 'luxon';
import type { Queryable } from '../src/db/queryable.ts';
import type { ClientSource } from '../src/tenants/clientSource.ts';
import { resolveRange } from '../src/analytics/range.ts';
import { boundValues, metricQuery, runQuery, type MetricQuery } from '../src/analytics/query.ts';
import { BOUND_PARAMS, DEFAULT_FUNNEL } from '../src/analytics/sql.ts';
import { countsSql } from '../src/analytics/getCounts.ts';
import { dailySql } from '../src/analytics/getDaily.ts';
import { hourlySql } from '../src/analytics/getHourly.ts';
import { durationSql } from '../src/analytics/getDuration.ts';
import { heatmapSql } from '../src/analytics/getHeatmap.ts';

export const ENDPOINTS = ['funnel', 'daily', 'hourly', 'heatmap', 'metrics'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];
export const RANGE_DAYS = [30, 365] as const;

/** One measured request: a metric over the last `days` local days including today, as the dashboard asks it. */
export interface BenchCase {
  name: string;
  endpoint: Endpoint;
  days: number;
  /** API path with the range as local dates. */
  path: string;
  q: MetricQuery;
  /** How long `resolveRange` takes for this request in this process (ms, median of 25 warm calls): part of the API's own cost. */
  rangeMs: () => number;
}

export function benchCases(clientId: string, timezone: string, now: Date): BenchCase[] {
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  return ENDPOINTS.flatMap((endpoint) => RANGE_DAYS.map((days) => {
    const [from, to] = [today.minus({ days: days - 1 }).toISODate()!, today.toISODate()!];
    // Resolved exactly as the route resolves `?from&to`, so the bare SQL binds the same instants.
    const q = metricQuery(resolveRange({ from, to }, timezone, now), DEFAULT_FUNNEL);
    const rangeMs = () => median(Array.from({ length: 50 }, () => {
      const started = performance.now();
      resolveRange({ from, to }, timezone, now);
      return performance.now() - started;
    }).slice(25)); // the first 25 calls warm the JIT up
    return { name: `${endpoint} ${days} d`, endpoint, days, path: `/api/${clientId}/${endpoint}?from=${from}&to=${to}`, q, rangeMs };
  }));
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Row = Record<string, number>;
const total = (rows: Row[]) => rows.reduce((n, r) => n + r.sessions!, 0);

/**
 * The SQL the API runs for a case, built by the same analytics builders and bound by `boundValues`, run straight
 * through `pg` (no HTTP, no shaping). `/metrics` runs its three queries concurrently, as `getMetrics` does.
 * Resolves to the number of sessions in the range, to check the API's answer against.
 */
export function bareQuery(c: BenchCase, source: ClientSource): (db: Queryable) => Promise<number> {
  const values = boundValues(c.q);
  const run = (sql: string, db: Queryable) => runQuery<Row>(db, sql, values);
  switch (c.endpoint) {
    case 'funnel':
      return async (db) => (await run(countsSql(source, BOUND_PARAMS, c.q.funnel), db))[0]!.sessions!;
    case 'daily':
      return async (db) => total(await run(dailySql(source, BOUND_PARAMS, c.q.funnel), db));
    case 'hourly':
      return async (db) => total(await run(hourlySql(source, BOUND_PARAMS, c.q.funnel), db));
    case 'heatmap':
      return async (db) => total(await run(heatmapSql(source, BOUND_PARAMS), db));
    case 'metrics':
      return async (db) => {
        const [counts] = await Promise.all([
          run(countsSql(source, BOUND_PARAMS, c.q.funnel), db),
          run(durationSql(source, BOUND_PARAMS), db),
          run(hourlySql(source, BOUND_PARAMS, c.q.funnel), db),
        ]);
        return counts[0]!.sessions!;
      };
  }
}

/** Sessions in the range according to an API answer. */
export function answerSessions(endpoint: Endpoint, body: Record<string, unknown>): number {
  const sum = (rows: unknown) => (rows as { sessions: number }[]).reduce((n, r) => n + r.sessions, 0);
  if (endpoint === 'daily') return sum(body.days);
  if (endpoint === 'hourly') return sum(body.hours);
  if (endpoint === 'heatmap') return sum(body.cells);
  return body.sessions as number;
}
