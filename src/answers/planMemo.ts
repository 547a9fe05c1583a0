import { LRUCache } from 'lru-cache';
import { DateTime } from 'luxon';

/**
 * Plans already made, by what was asked (client, its time zone, metric, the parameters as given). Resolving a range
 * places dates in an IANA zone — dozens of `Intl` offset look-ups — which cost a cache hit more than everything else
 * it does. A plan depends on the clock only through today's local date in its zone (the default range, "previous"),
 * so an entry is kept for the local day it was made on; another day makes it again. Bad input throws and is never kept.
 */
interface Entry<T> {
  plan: T;
  dayStart: number;
  dayEnd: number;
}

/** Room for a portfolio of 1,000 clients (three plans each, taken in turn: an LRU smaller than that keeps none). */
const MAX_PLANS = 8000;

export class PlanMemo<T extends { range: { timezone: string } }> {
  private readonly plans = new LRUCache<string, Entry<T>>({ max: MAX_PLANS });

  /** The plan for `key` made earlier on the same local day, or `make()` now (kept for the rest of that day). */
  get(key: string, now: Date, make: () => T): T {
    const at = now.getTime();
    const entry = this.plans.get(key);
    if (entry && at >= entry.dayStart && at < entry.dayEnd) return entry.plan;
    const plan = make();
    const day = DateTime.fromMillis(at, { zone: plan.range.timezone }).startOf('day');
    this.plans.set(key, { plan, dayStart: day.toMillis(), dayEnd: day.plus({ days: 1 }).toMillis() });
    return plan;
  }

  clear(): void {
    this.plans.clear();
  }
}

/** A key for what was asked: order-independent, so `?a=1&b=2` and `?b=2&a=1` share a plan. */
export function inputKey(parts: readonly string[], input: object): string {
  let key = JSON.stringify(parts);
  for (const name of Object.keys(input).sort()) {
    const value = (input as Record<string, unknown>)[name];
    if (value !== undefined) key += `&${JSON.stringify(name)}=${JSON.stringify(value)}`;
  }
  return key;
}
