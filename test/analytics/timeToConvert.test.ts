import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSource, type ClientSource } from '../../src/tenants/clientSource.ts';
import { resolveRange } from '../../src/analytics/range.ts';
import { metricQuery } from '../../src/analytics/query.ts';
import { getTimeToConvert, timeToConvertChanges, type TimeToConvert } from '../../src/analytics/getTimeToConvert.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadHandoffFixture } from '../fixtures/handoffFixture.ts';

const SYDNEY = 'Australia/Sydney';
const APRIL = metricQuery(resolveRange({ from: '2024-04-06', to: '2024-04-08' }, SYDNEY));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('time_to_convert');
  await loadHandoffFixture(database.pool, 'ts', 'timestamp');
  await loadHandoffFixture(database.pool, 'tstz', 'timestamptz');
}, 60_000);
afterAll(async () => {
  await database?.drop();
});

const bins = (answer: TimeToConvert, key: string) => answer.transitions.find((t) => t.key === key)!.histogram.map((b) => b.count);
const totals = (answer: TimeToConvert, key: string) => {
  const { count, p50Seconds, p90Seconds, meanSeconds } = answer.transitions.find((t) => t.key === key)!;
  return { count, p50Seconds, p90Seconds, meanSeconds };
};

describe.each([['timestamp(3) holding UTC', 'ts'], ['timestamptz', 'tstz']])('time to convert on %s', (_label, schema) => {
  let source: ClientSource;
  let answer: TimeToConvert;
  beforeAll(async () => {
    source = await describeSource(database.pool, schema);
    answer = await getTimeToConvert(database.pool, source, APRIL);
  });

  it('reports consecutive steps, then page load to each action, in that order', () => {
    expect(answer.transitions.map((t) => [t.key, t.from, t.to])).toEqual([
      ['pageLoadedToWidgetOpened', 'pageLoaded', 'widgetOpened'],
      ['widgetOpenedToRequestedHuman', 'widgetOpened', 'requestedHuman'],
      ['pageLoadedToPressedAccept', 'pageLoaded', 'pressedAccept'],
      ['pageLoadedToPressedCallback', 'pageLoaded', 'pressedCallback'],
      ['pageLoadedToPressedContinue', 'pageLoaded', 'pressedContinue'],
    ]);
  });

  it('leaves out a widget opened before its page load and sessions missing either timestamp', () => {
    // 5, 10, 20, 30, 45, 60, 90, 200 s (t06's −60 s, t10 without a widget, t11 without a page load are out)
    expect(totals(answer, 'pageLoadedToWidgetOpened')).toEqual({ count: 8, p50Seconds: 37.5, p90Seconds: 123, meanSeconds: 57.5 });
    expect(bins(answer, 'pageLoadedToWidgetOpened')).toEqual([1, 2, 2, 2, 1, 0, 0, 0]);
  });

  it('times the widget to the request for a human, including the out-of-order session (its own pair is in order)', () => {
    // 20, 20, 30, 30, 40, 60, 120, 240 s
    expect(totals(answer, 'widgetOpenedToRequestedHuman')).toEqual({ count: 8, p50Seconds: 35, p90Seconds: 156, meanSeconds: 70 });
    expect(bins(answer, 'widgetOpenedToRequestedHuman')).toEqual([0, 2, 3, 1, 2, 0, 0, 0]);
  });

  it('times page load to each action, whatever happened in between', () => {
    // accept: 120, 145, 360, 705, 900 s (900 s opens the 15–60 min bin: lower bounds are inclusive)
    expect(totals(answer, 'pageLoadedToPressedAccept')).toEqual({ count: 5, p50Seconds: 360, p90Seconds: 822, meanSeconds: 446 });
    expect(bins(answer, 'pageLoadedToPressedAccept')).toEqual([0, 0, 0, 0, 2, 2, 1, 0]);
    // callback: 240, 360 s (t10 never opened the widget but did call back)
    expect(totals(answer, 'pageLoadedToPressedCallback')).toEqual({ count: 2, p50Seconds: 300, p90Seconds: 348, meanSeconds: 300 });
    // continue: 90, 100, 120 s (t03 continued before asking for a human)
    expect(totals(answer, 'pageLoadedToPressedContinue')).toEqual({ count: 3, p50Seconds: 100, p90Seconds: 116, meanSeconds: 103.333 });
    expect(bins(answer, 'pageLoadedToPressedContinue')).toEqual([0, 0, 0, 2, 1, 0, 0, 0]);
  });

  it('labels the fixed bins', () => {
    expect(answer.transitions[0]!.histogram.map((b) => [b.label, b.fromSeconds, b.toSeconds])).toEqual([
      ['<10s', 0, 10], ['10-30s', 10, 30], ['30s-1m', 30, 60], ['1-2m', 60, 120],
      ['2-5m', 120, 300], ['5-15m', 300, 900], ['15-60m', 900, 3600], ['>=1h', 3600, null],
    ]);
  });

  it('trends the daily p50 by local day (the 25-hour DST day keeps 23:30 AEST), null on days without such a session', () => {
    expect(answer.trend.map((d) => d.date)).toEqual(['2024-04-06', '2024-04-07', '2024-04-08']);
    expect(answer.trend.map((d) => d.p50Seconds)).toEqual([
      { pageLoadedToWidgetOpened: 20, widgetOpenedToRequestedHuman: 30, pageLoadedToPressedAccept: 145, pageLoadedToPressedCallback: 300, pageLoadedToPressedContinue: 120 },
      { pageLoadedToWidgetOpened: 90, widgetOpenedToRequestedHuman: 45, pageLoadedToPressedAccept: 802.5, pageLoadedToPressedCallback: null, pageLoadedToPressedContinue: 100 },
      { pageLoadedToWidgetOpened: 35, widgetOpenedToRequestedHuman: 120, pageLoadedToPressedAccept: null, pageLoadedToPressedCallback: null, pageLoadedToPressedContinue: 90 },
    ]);
    expect(answer.trend.map((d) => d.count.pageLoadedToWidgetOpened)).toEqual([3, 3, 2]);
    expect(answer.trend[1]!.count.pageLoadedToPressedCallback).toBe(0);
  });
});

describe('time to convert on an empty range', () => {
  it('has zero counts, null timings, and a zero-filled trend', async () => {
    const source = await describeSource(database.pool, 'ts');
    const empty = await getTimeToConvert(database.pool, source, metricQuery(resolveRange({ from: '2024-05-01', to: '2024-05-02' }, SYDNEY)));
    expect(empty.transitions[0]).toMatchObject({ count: 0, p50Seconds: null, p90Seconds: null, meanSeconds: null });
    expect(empty.transitions[0]!.histogram.every((b) => b.count === 0)).toBe(true);
    expect(empty.trend).toEqual([
      expect.objectContaining({ date: '2024-05-01', count: expect.objectContaining({ pageLoadedToWidgetOpened: 0 }) }),
      expect.objectContaining({ date: '2024-05-02', p50Seconds: expect.objectContaining({ pageLoadedToWidgetOpened: null }) }),
    ]);
  });

  it('compares count, p50 and p90 per transition, flagging small samples', async () => {
    const source = await describeSource(database.pool, 'ts');
    const current = await getTimeToConvert(database.pool, source, APRIL);
    const previous = await getTimeToConvert(database.pool, source, metricQuery(resolveRange({ from: '2024-04-03', to: '2024-04-05' }, SYDNEY)));
    const changes = timeToConvertChanges(current, previous);
    expect(changes).toHaveLength(15);
    expect(changes.slice(0, 3)).toEqual([
      // t12 (04-05 23:59:59 local) took 10 s to open the widget
      { metric: 'transitions.pageLoadedToWidgetOpened.count', kind: 'count', current: 8, previous: 1, change: 7, relativeChange: 7, percentagePoints: null, smallSample: true },
      { metric: 'transitions.pageLoadedToWidgetOpened.p50Seconds', kind: 'seconds', current: 37.5, previous: 10, change: 27.5, relativeChange: 2.75, percentagePoints: null, smallSample: true },
      { metric: 'transitions.pageLoadedToWidgetOpened.p90Seconds', kind: 'seconds', current: 123, previous: 10, change: 113, relativeChange: 11.3, percentagePoints: null, smallSample: true },
    ]);
  });
});
