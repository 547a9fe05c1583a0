import { DateTime } from 'luxon';
import { mulberry32 } from '../src/demo/random.ts';

/** Sessions per local day: the data covers `DAYS` days ending today (today is cut at the current time). */
export const DAYS = 730;

export interface DayPlan {
  days: string[];
  counts: number[];
}


/** Weekdays busier than weekends (Saturday 0.72, Sunday 0.62), Monday a little busier still. */
const WEEKDAY = [0, 1.08, 1.02, 1, 1, 0.95, 0.72, 0.62];

/**
 * `total` sessions spread over the days: weekday rhythm, growth from 0.75× to 1.25× over the two years, a winter
 * bump and ±7.5 % noise. Largest remainders make the counts add up to exactly `total`.
 */
export function planDays(total: number, timezone: string, now: Date = new Date()): DayPlan {
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  const random = mulberry32(total); // seeded: a rebuilt data set has the same day-to-day shape
  const days: DateTime[] = Array.from({ length: DAYS }, (_, i) => today.minus({ days: DAYS - 1 - i }));
  const weights = days.map((day, i) => {
    const growth = 0.75 + 0.5 * (i / (DAYS - 1));
    const season = 1 + 0.12 * Math.cos((2 * Math.PI * (day.ordinal - 20)) / 365);
    return WEEKDAY[day.weekday]! * growth * season * (1 + 0.15 * (random() - 0.5));
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const counts = exact.map(Math.floor);
  let missing = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (missing-- <= 0) break;
    counts[i]! += 1;
  }
  return { days: days.map((d) => d.toISODate()!), counts };
}

/** Consecutive days grouped so that each INSERT writes at most about `rows` rows. */
export function chunkDays(plan: DayPlan, rows: number): DayPlan[] {
  const chunks: DayPlan[] = [];
  let current: DayPlan = { days: [], counts: [] };
  let inChunk = 0;
  plan.days.forEach((day, i) => {
    const count = plan.counts[i]!;
    if (inChunk > 0 && inChunk + count > rows) {
      chunks.push(current);
      current = { days: [], counts: [] };
      inChunk = 0;
    }
    current.days.push(day);
    current.counts.push(count);
    inChunk += count;
  });
  if (inChunk > 0) chunks.push(current);
  return chunks;
}
