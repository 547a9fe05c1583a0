import type { DateTime } from 'luxon';
import type { ClientConfig } from '../config/clients.ts';
import type { DateHourRow } from '../analytics/getDateHours.ts';
import { metricQuery } from '../analytics/query.ts';
import { rangeBetween } from '../analytics/range.ts';
import { ResultCache } from '../cache/resultCache.ts';
import type { AnswerDeps } from './answerMetric.ts';
import { dateHoursOf, tolerant } from './rollupsOrRaw.ts';

/**
 * Sessions per local date and hour of the client's zone in [from, to): from rollups where they can (whole buckets),
 * else the raw SQL; cached like any answer (the baseline's range ends on a whole hour, so the key holds for an hour).
 * `derived` is the cache entry's (null uncached): what is computed from these rows lives and goes with them.
 */
export async function sessionHistory(deps: AnswerDeps, client: ClientConfig, from: DateTime, to: DateTime): Promise<{ rows: DateHourRow[]; derived: Map<string, unknown> | null }> {
  const compute = async () => {
    const source = await deps.databases.source(client.id);
    const q = metricQuery(rangeBetween(client.timezone, from, to, false));
    const rollups = deps.rollups ? tolerant(deps.rollups, deps.log) : null;
    return dateHoursOf({ client, db: deps.databases.forClient(client.id), source, q, query: {}, parsed: undefined, rollups, now: deps.now() });
  };
  if (!deps.cache) return { rows: await compute(), derived: null };
  const key = ResultCache.clientKey(client.id, { path: 'date-hours:packed', from: from.toUTC().toISO(), to: to.toUTC().toISO(), tz: client.timezone });
  const entry = await deps.cache.getOrCompute(key, async () => pack(await compute()));
  let rows = entry.derived.get('rows') as DateHourRow[] | undefined;
  if (!rows) entry.derived.set('rows', (rows = unpack(entry.body)));
  return { rows, derived: entry.derived };
}

/**
 * Cached as 24 counts per local date (a repeated DST hour is one row already): a fifteenth of the rows' JSON, so a
 * thousand clients' histories stay among the cache's decoded entries instead of being parsed again on every read.
 */
type Packed = Record<string, number[]>;

function pack(rows: readonly DateHourRow[]): Packed {
  const packed: Packed = {};
  for (const { date, hour, sessions } of rows) (packed[date] ??= new Array<number>(24).fill(0))[hour] = sessions;
  return packed;
}

/** The rows again, in their order (date, then hour; only hours with sessions). */
function unpack(packed: Packed): DateHourRow[] {
  const rows: DateHourRow[] = [];
  for (const date of Object.keys(packed).sort()) {
    packed[date]!.forEach((sessions, hour) => {
      if (sessions > 0) rows.push({ date, hour, sessions });
    });
  }
  return rows;
}
