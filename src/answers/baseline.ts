import { DateTime, IANAZone } from 'luxon';
import type { ClientConfig } from '../config/clients.ts';
import type { DateHourRow } from '../analytics/getDateHours.ts';
import type { AnswerDeps } from './answerMetric.ts';
import { sessionHistory } from './sessionHistory.ts';

/**
 * A client's usual traffic by local weekday and hour, from its own recent weeks: what the no-data alert and the
 * portfolio's "quiet for 26 h, usually 40 sessions in that time" compare silence with.
 */
export interface SessionBaseline {
  /** Whole weeks of history before `at` that had any data (0..weeks). */
  weeks: number;
  /** Usual sessions in [from, to): for each local hour it covers, the mean count of the same local weekday and hour over those weeks (prorated for partial hours). */
  expected(from: Date, to: Date): number;
}

export const DEFAULT_BASELINE_WEEKS = 8;
const HOUR_MS = 3_600_000;

/**
 * The weeks are the `weeks` whole weeks before the local hour `at` falls in ([end − k weeks, end − (k−1) weeks) in
 * local wall-clock time, so DST changes shift nothing); the hour in progress is the present, not history. One week
 * more is read so that a window up to a week before `at` still finds all of its weeks.
 */
export async function sessionBaseline(deps: AnswerDeps, client: ClientConfig, at: Date, weeks = DEFAULT_BASELINE_WEEKS): Promise<SessionBaseline> {
  return (await baselineWithHistory(deps, client, at, weeks)).baseline;
}

/** The history `sessionBaseline` reads for `at`: [end − (weeks + 1) weeks, end), `end` the start of `at`'s local hour. */
export function historySpan(zone: string, at: Date, weeks: number): { from: DateTime; to: DateTime } {
  const end = DateTime.fromMillis(hourStart(at.getTime(), zone), { zone });
  return { from: end.minus({ weeks: weeks + 1 }), to: end };
}

/**
 * The baseline and the rows it was made from. The history of whole past hours is one cache entry for the hour, so the
 * baseline made from it is kept with that entry (its `derived`): the portfolio and every minute's alert round of the
 * hour share one, and its per-hour figures are worked out once.
 */
export async function baselineWithHistory(deps: AnswerDeps, client: ClientConfig, at: Date, weeks: number): Promise<{ rows: readonly DateHourRow[]; baseline: SessionBaseline }> {
  const { from, to } = historySpan(client.timezone, at, weeks);
  const { rows, derived } = await sessionHistory(deps, client, from, to);
  const key = `baseline:${weeks}`;
  let baseline = derived?.get(key) as SessionBaseline | undefined;
  if (!baseline) {
    baseline = baselineOf(rows, to, weeks);
    derived?.set(key, baseline);
  }
  return { rows, baseline };
}

/** The baseline from history rows that cover [end − (weeks + 1) weeks, end); `end` is a local hour's start. */
export function baselineOf(rows: readonly DateHourRow[], end: DateTime, weeks: number): SessionBaseline {
  const zone = end.zoneName!;
  const counts = new Map(rows.map((row) => [slotKey(row.date, row.hour), row.sessions]));
  const bound = (k: number) => keyOf(end.minus({ weeks: k }));
  // Before the first hour with sessions the client was not there yet: that is no history, not silence.
  const started = rows.filter((row) => row.sessions > 0).map((row) => slotKey(row.date, row.hour)).sort()[0];
  const [first, last] = [started !== undefined && started > bound(weeks + 1) ? started : bound(weeks + 1), keyOf(end)];
  // Week k had data when any of its local hours did; only such weeks are averaged (a client that started three
  // weeks ago, or a week-long outage, does not make the usual traffic look smaller).
  const withData = Array.from({ length: weeks }, (_, i) => i + 1).filter((k) => {
    const [lo, hi] = [bound(k), bound(k - 1)];
    return rows.some((row) => row.sessions > 0 && slotKey(row.date, row.hour) >= lo && slotKey(row.date, row.hour) < hi);
  });
  const hours = realHoursOf(zone);
  const known = new Map<string, number>();

  /** Mean sessions of one local date-hour's weekday-hour over the weeks with data, per real hour (worked out once). */
  const usual = (date: string, hour: number) => {
    const slot = slotKey(date, hour);
    let mean = known.get(slot);
    if (mean === undefined) known.set(slot, (mean = meanOf(date, hour)));
    return mean;
  };
  const meanOf = (date: string, hour: number) => {
    let total = 0;
    let seen = 0;
    for (const k of withData) {
      const then = shiftDate(date, -7 * k);
      const key = slotKey(then, hour);
      const real = hours.of(then, hour); // 0: skipped by DST that week; 2: repeated
      if (real === 0 || key < first || key >= last) continue;
      total += (counts.get(key) ?? 0) / real;
      seen++;
    }
    return seen === 0 ? 0 : total / seen;
  };

  return {
    weeks: withData.length,
    expected(from, to) {
      let sum = 0;
      const [lo, hi] = [from.getTime(), to.getTime()];
      for (let start = hourStart(lo, zone); start < hi; start += HOUR_MS) {
        const covered = Math.min(hi, start + HOUR_MS) - Math.max(lo, start);
        const [date, hour] = localHourOf(zone, start);
        sum += (covered / HOUR_MS) * usual(date, hour);
      }
      return sum;
    },
  };
}

/** The start of the local hour an instant falls in (offsets are whole quarter hours, so this is exact). */
export function hourStart(ms: number, zone: string): number {
  const local = DateTime.fromMillis(ms, { zone });
  return ms - (local.minute * 60_000 + local.second * 1000 + local.millisecond);
}

/**
 * Facts of the zone database (an instant's local date and hour, how many real hours a local hour had) are the same
 * for every client in a zone and every round: kept per process, bounded, instead of asking luxon (Intl) each time.
 */
const ZONE_FACTS_MAX = 200_000;
const localHours = new Map<string, [string, number]>();
const realHoursByZone = new Map<string, RealHours>();

function localHourOf(zone: string, ms: number): [string, number] {
  const key = `${zone} ${ms}`;
  let found = localHours.get(key);
  if (!found) {
    if (localHours.size >= ZONE_FACTS_MAX) localHours.clear();
    const local = DateTime.fromMillis(ms, { zone });
    localHours.set(key, (found = [local.toISODate()!, local.hour]));
  }
  return found;
}

function realHoursOf(zone: string): RealHours {
  let hours = realHoursByZone.get(zone);
  if (!hours || hours.size >= ZONE_FACTS_MAX) realHoursByZone.set(zone, (hours = new RealHours(zone)));
  return hours;
}

const pad = (hour: number) => String(hour).padStart(2, '0');
const slotKey = (date: string, hour: number) => `${date} ${pad(hour)}`;
const keyOf = (t: DateTime) => slotKey(t.toISODate()!, t.hour);
const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** How many real hours a local date-hour had in a zone: 1, 0 where DST skipped it, 2 where it repeated. */
class RealHours {
  private readonly known = new Map<string, number>();
  constructor(private readonly zone: string) {}

  get size(): number {
    return this.known.size + this.plainDates.size;
  }

  /** Dates on which every hourly instant has one offset: each of their local hours is one real hour. */
  private readonly plainDates = new Map<string, boolean>();

  of(date: string, hour: number): number {
    if (this.plain(date)) return 1;
    const key = slotKey(date, hour);
    let n = this.known.get(key);
    if (n === undefined) {
      const t = DateTime.fromISO(`${date}T${pad(hour)}:00:00`, { zone: this.zone });
      const same = (x: DateTime) => x.hour === hour && x.toISODate() === date;
      n = same(t) ? 1 + [t.minus({ hours: 1 }), t.plus({ hours: 1 })].filter(same).length : 0;
      this.known.set(key, n);
    }
    return n;
  }

  /** One offset from an hour before the local day to an hour after it (offsets never change twice within an hour). */
  private plain(date: string): boolean {
    let plain = this.plainDates.get(date);
    if (plain === undefined) {
      const zone = IANAZone.create(this.zone);
      const midnight = Date.parse(`${date}T00:00:00Z`);
      const offset = zone.offset(midnight);
      const start = midnight - offset * 60_000 - HOUR_MS;
      plain = true;
      for (let k = 1; k <= 26 && plain; k++) plain = zone.offset(start + k * HOUR_MS) === offset;
      plain &&= zone.offset(start) === offset;
      this.plainDates.set(date, plain);
    }
    return plain;
  }
}
