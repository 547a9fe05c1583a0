import fc from 'fast-check';
import { DateTime, FixedOffsetZone } from 'luxon';
import { InvalidParameterError } from '../../src/analytics/errors.ts';
import type { MetricQuery } from '../../src/analytics/query.ts';
import { queryOf, STEP_COLUMNS, type StepColumn, type TestSession } from './support.ts';

/** Random data, changes and ranges for the exactness property: awkward on purpose (bucket edges, DST, :30/:45 zones). */
export const ZONES = [
  'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'Pacific/Chatham',
  'Australia/Sydney', 'Australia/Adelaide', 'America/New_York', 'Europe/London', 'Asia/Tehran', 'UTC',
] as const;

/** Each three-day window holds a DST change for some of the zones (7 Apr, 10 Mar, 31 Mar, 29 Sep, 6 Oct, 3 Nov 2024). */
const WINDOWS = ['2024-04-05', '2024-03-09', '2024-03-30', '2024-09-28', '2024-10-05', '2024-11-02'].map((d) => Date.parse(`${d}T00:00:00Z`));
export const SPAN_MS = 3 * 86_400_000;
const BUCKET_MS = 900_000;
const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Where sessions and range edges crowd together (and most windows' DST change falls), so edge buckets hold sessions. */
const HOT: [number, number] = [86_400_000, 151_200_000];

/** Bucket-aligned offsets in [lo, hi], exactly on an edge, a millisecond either side, or mid-bucket. */
const aligned = (lo: number, hi: number) =>
  fc.tuple(fc.integer({ min: Math.ceil(lo / BUCKET_MS), max: Math.floor(hi / BUCKET_MS) }), fc.constantFrom(0, 1, -1, 450_000))
    .map(([k, d]) => Math.min(hi, Math.max(lo, k * BUCKET_MS + d)));

/** An offset into [min, max]: anywhere, on bucket edges, and often inside the hot stretch. */
function offset(min: number, max: number) {
  const [hotMin, hotMax] = [Math.max(min, HOT[0]), Math.min(max, HOT[1])];
  const hot = hotMin < hotMax ? [aligned(hotMin, hotMax), fc.integer({ min: hotMin, max: hotMax })] : [];
  return fc.oneof(fc.integer({ min, max }), aligned(min, max), ...hot);
}

const stepDelay = fc.option(fc.integer({ min: -120_000, max: 900_000 }), { nil: null, freq: 2 });

export interface SessionShape {
  at: number;
  pageLoadedMissing: boolean;
  createdDelay: number;
  steps: Partial<Record<StepColumn, number | null>>;
}

export const sessionShape = (min = 0, max = SPAN_MS) => fc.record({
  at: offset(min, max),
  pageLoadedMissing: fc.boolean(),
  createdDelay: fc.integer({ min: -300_000, max: 300_000 }),
  steps: fc.record(Object.fromEntries(STEP_COLUMNS.slice(1).map((c) => [c, stepDelay])) as Record<Exclude<StepColumn, 'pageLoaded'>, typeof stepDelay>),
});

/** A row from a shape: anchor `at` (pageLoaded, or createdAt when pageLoaded is missing), steps around it. */
export function toSession(id: string, start: number, shape: SessionShape, updatedAt: string): TestSession {
  const at = start + shape.at;
  const row: TestSession = { id, createdAt: iso(shape.pageLoadedMissing ? at : at + shape.createdDelay), updatedAt };
  row.pageLoaded = shape.pageLoadedMissing ? null : iso(at);
  for (const [column, delay] of Object.entries(shape.steps)) row[column as StepColumn] = delay === null || delay === undefined ? null : iso(at + delay);
  return row;
}

/** When a change is stamped: later than anything so far, exactly the watermark, or just under it (a late commit). */
export const stamp = fc.oneof(
  fc.constant({ kind: 'advance' as const, ms: 0 }),
  fc.constant({ kind: 'equal' as const, ms: 0 }),
  fc.record({ kind: fc.constant('under' as const), ms: fc.integer({ min: 1, max: 299_000 }) }),
);

export const change = fc.oneof(
  fc.record({ kind: fc.constant('new' as const), shape: sessionShape(), stamp }),
  // a row arriving late, its events long past
  fc.record({ kind: fc.constant('late' as const), shape: sessionShape(0, 86_400_000), stamp }),
  fc.record({ kind: fc.constant('gain' as const), pick: fc.nat(), column: fc.constantFrom(...STEP_COLUMNS.slice(1)), delay: fc.integer({ min: 0, max: 600_000 }), stamp }),
  // pageLoaded recorded later: a session without it moves from its createdAt bucket
  fc.record({ kind: fc.constant('pageLoaded' as const), pick: fc.nat(), delay: fc.integer({ min: -3 * HOUR_MS, max: 3 * HOUR_MS }), stamp }),
  // a step cleared; clearing pageLoaded moves the session back to its createdAt bucket
  fc.record({ kind: fc.constant('clear' as const), pick: fc.nat(), column: fc.constantFrom(...STEP_COLUMNS), stamp }),
);
export type Change = typeof change extends fc.Arbitrary<infer C> ? C : never;

/** A range bound: a local date, or an RFC 3339 instant with some offset (mostly :00, also :30 and :45). */
const bound = fc.record({
  at: offset(-86_400_000, SPAN_MS + 86_400_000),
  date: fc.boolean(),
  offsetMinutes: fc.constantFrom(0, 60, -300, 330, 345, -210, 780, 825),
});
type Bound = typeof bound extends fc.Arbitrary<infer B> ? B : never;

export const rangeQuery = fc.record({ zone: fc.constantFrom(...ZONES), a: bound, b: bound });
export type RangeQuery = typeof rangeQuery extends fc.Arbitrary<infer R> ? R : never;

export function formatBound(start: number, b: Bound, zone: string): string {
  const at = DateTime.fromMillis(start + b.at, { zone });
  return b.date ? at.toISODate()! : at.setZone(FixedOffsetZone.instance(b.offsetMinutes)).toISO()!;
}

export const scenario = fc.record({
  window: fc.constantFrom(...WINDOWS),
  kind: fc.constantFrom('timestamp' as const, 'timestamptz' as const),
  /** Where the writers' clock (updatedAt) starts: inside the window (a fresh tail within it) or after it. */
  clockStart: fc.integer({ min: 86_400_000, max: SPAN_MS + 86_400_000 }),
  sessions: fc.array(sessionShape(), { minLength: 10, maxLength: 80, size: 'max' }),
  changes: fc.array(change, { maxLength: 30, size: 'max' }),
  fresh: fc.array(fc.record({ shape: sessionShape(0, 86_400_000) }), { maxLength: 8, size: 'max' }),
  queries: fc.array(rangeQuery, { minLength: 1, maxLength: 3 }),
});

/**
 * The metric queries of a scenario's ranges, in their zones: first the whole window as local dates in the first one's
 * zone (a stale bucket or day cannot hide), then each random range; ranges the API would refuse are left out.
 */
export function scenarioQueries(start: number, queries: RangeQuery[]): { q: MetricQuery; whole: boolean }[] {
  const whole = { ...queries[0]!, a: { at: -86_400_000, date: true, offsetMinutes: 0 as const }, b: { at: SPAN_MS + 86_400_000, date: true, offsetMinutes: 0 as const } };
  return [whole, ...queries].flatMap(({ zone, a, b }, i) => {
    const [lo, hi] = a.at <= b.at ? [a, b] : [b, a];
    try {
      return [{ q: queryOf({ from: formatBound(start, lo, zone), to: formatBound(start, hi, zone) }, zone), whole: i === 0 }];
    } catch (error) {
      if (error instanceof InvalidParameterError) return []; // e.g. an instant `to` before a `from` date's midnight
      throw error;
    }
  });
}
