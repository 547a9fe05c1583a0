import type { ClientConfig } from '../../../config/clients.ts';
import { metricQuery } from '../../../analytics/query.ts';
import { rangeBetween } from '../../../analytics/range.ts';
import type { Counts } from '../../../analytics/steps.ts';
import { DateTime } from 'luxon';
import type { AnswerDeps } from '../../../answers/answerMetric.ts';
import { countsOf, tolerant } from '../../../answers/rollupsOrRaw.ts';
import { ResultCache } from '../../../cache/resultCache.ts';

/** What a rule evaluates with: the shared answers for one client at one instant. */
export interface RuleContext {
  deps: AnswerDeps;
  client: ClientConfig;
  now: Date;
  /** Sessions and step counts in [from, to): rollups where they can, computed once per range in a round. */
  counts(from: Date, to: Date): Promise<Counts>;
}

export function ruleContext(deps: AnswerDeps, client: ClientConfig, now: Date): RuleContext {
  const known = new Map<string, Promise<Counts>>();
  const rollups = deps.rollups ? tolerant(deps.rollups, deps.log) : null;
  return {
    deps, client, now,
    counts(from, to) {
      const key = `${from.toISOString()} ${to.toISOString()}`;
      let counts = known.get(key);
      if (!counts) {
        const compute = async () => {
          const source = await deps.databases.source(client.id);
          const range = rangeBetween(client.timezone, DateTime.fromJSDate(from, { zone: client.timezone }), DateTime.fromJSDate(to, { zone: client.timezone }), false);
          return countsOf({ client, db: deps.databases.forClient(client.id), source, q: metricQuery(range), query: {}, parsed: undefined, rollups, now });
        };
        // A range of whole past hours does not change (much) within the hour: cached like any answer, when on.
        const settled = from.getTime() % HOUR_MS === 0 && to.getTime() % HOUR_MS === 0 && to <= now;
        const cache = deps.cache;
        counts = cache && settled
          ? cache.getOrCompute(ResultCache.clientKey(client.id, { path: 'alert-counts', from: from.toISOString(), to: to.toISOString() }), compute).then((a) => a.body)
          : compute();
        known.set(key, counts);
      }
      return counts;
    },
  };
}

export const HOUR_MS = 3_600_000;
export const minus = (at: Date, ms: number) => new Date(at.getTime() - ms);
/** "3 h", "45 min", "2 d": a window as people say it. */
export function span(ms: number): string {
  if (ms >= 2 * 24 * HOUR_MS && ms % (24 * HOUR_MS) === 0) return `${ms / (24 * HOUR_MS)} d`;
  if (ms >= HOUR_MS) return `${Math.round(ms / HOUR_MS)} h`;
  return `${Math.round(ms / 60_000)} min`;
}
export const percent = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
