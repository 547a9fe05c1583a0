import type { Queryable } from '../db/queryable.ts';
import type { QueryResultRow } from 'pg';
import type { ResolvedRange } from './range.ts';
import { DEFAULT_FUNNEL, type FunnelOptions } from './sql.ts';

/** Everything a metric's answer depends on besides the client's data. */
export interface MetricQuery {
  range: ResolvedRange;
  funnel: FunnelOptions;
}

export const metricQuery = (range: ResolvedRange, funnel: FunnelOptions = DEFAULT_FUNNEL): MetricQuery => ({ range, funnel });

/** Values for `BOUND_PARAMS` ($1..$4), then any extra values a metric binds from `$5` on. */
export function boundValues(q: MetricQuery, ...extra: unknown[]): unknown[] {
  return [
    q.range.from.toUTC().toISO(),
    q.range.to.toUTC().toISO(),
    q.range.timezone,
    q.funnel.windowSeconds === null ? null : `${q.funnel.windowSeconds} seconds`,
    ...extra,
  ];
}

/**
 * Runs SQL written against the full parameter list, binding only the placeholders it uses (PostgreSQL cannot type
 * a parameter that appears nowhere). Our SQL never holds `$<digit>` inside a literal, so renumbering is safe.
 */
export async function runQuery<R extends QueryResultRow>(db: Queryable, sql: string, values: unknown[]): Promise<R[]> {
  const used = [...new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  const renumber = new Map(used.map((n, i) => [n, i + 1]));
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => `$${renumber.get(Number(n))}`);
  const { rows } = await db.query<R>(text, used.map((n) => values[n - 1]));
  return rows;
}
