import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { describeSource, type ClientSource } from '../../src/tenants/clientSource.ts';
import { resolveRange } from '../../src/analytics/range.ts';
import { metricQuery } from '../../src/analytics/query.ts';
import { getFunnel } from '../../src/analytics/getFunnel.ts';
import { getDaily } from '../../src/analytics/getDaily.ts';
import { getHourly, peakHours } from '../../src/analytics/getHourly.ts';
import { getHeatmap } from '../../src/analytics/getHeatmap.ts';
import { getDuration } from '../../src/analytics/getDuration.ts';
import { getMetrics } from '../../src/analytics/getMetrics.ts';
import { getSessions } from '../../src/analytics/getSessions.ts';
import { getLeads } from '../../src/analytics/getLeads.ts';
import { pgTypes } from '../../src/db/pgTypes.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded/startEmbeddedPostgres.ts';
import type { Queryable } from '../../src/db/queryable.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture, type TimestampKind } from '../fixtures/sydneyFixture.ts';
import { createPool } from '../../src/db/pool.ts';

const SYDNEY = 'Australia/Sydney';
const APRIL = metricQuery(resolveRange({ from: '2024-04-06', to: '2024-04-08' }, SYDNEY));

let database: TestDatabase;
let embedded: EmbeddedPostgres;
let embeddedPool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('analytics');
  await loadSydneyFixture(database.pool, 'ts', 'timestamp');
  await loadSydneyFixture(database.pool, 'tstz', 'timestamptz');
  embedded = await startEmbeddedPostgres();
  embeddedPool = createPool({ connectionString: embedded.url, max: 2, types: pgTypes });
  await loadSydneyFixture(embeddedPool, 'sydney', 'timestamp');
}, 60_000);

afterAll(async () => {
  await embeddedPool?.end();
  await embedded?.stop();
  await database?.drop();
});

const backends: [string, () => Queryable, string, TimestampKind][] = [
  ['PostgreSQL, timestamp(3) holding UTC', () => database.pool, 'ts', 'timestamp'],
  ['PostgreSQL, timestamptz', () => database.pool, 'tstz', 'timestamptz'],
  ['embedded PGlite, timestamp(3)', () => embeddedPool, 'sydney', 'timestamp'],
];

describe.each(backends)('metrics on %s', (_label, db, schema) => {
  let source: ClientSource;
  beforeAll(async () => {
    source = await describeSource(db(), schema);
  });

  it('counts a session at local midnight at the start of the range and excludes one at the end', async () => {
    const funnel = await getFunnel(db(), source, APRIL);
    expect(funnel.sessions).toBe(9);
    expect(funnel.steps).toEqual([
      { step: 'pageLoaded', count: 8, rateFromPrevious: 8 / 9, rateFromFirst: 1 },
      { step: 'widgetOpened', count: 5, rateFromPrevious: 5 / 8, rateFromFirst: 5 / 8 },
      { step: 'requestedHuman', count: 4, rateFromPrevious: 4 / 5, rateFromFirst: 4 / 8 },
    ]);
  });

  it('counts actions only for sessions that reached requestedHuman', async () => {
    const funnel = await getFunnel(db(), source, APRIL);
    expect(funnel.actions).toEqual([
      { action: 'pressedAccept', count: 2, rate: 0.5 },
      { action: 'pressedCallback', count: 1, rate: 0.25 },
      { action: 'pressedContinue', count: 1, rate: 0.25 },
    ]);
  });

  it('buckets days by local date across the 25-hour DST day', async () => {
    const days = await getDaily(db(), source, APRIL);
    expect(days).toEqual([
      { date: '2024-04-06', sessions: 3, pageLoaded: 2, widgetOpened: 1, requestedHuman: 1, pressedAccept: 1, pressedCallback: 0, pressedContinue: 0 },
      { date: '2024-04-07', sessions: 4, pageLoaded: 4, widgetOpened: 3, requestedHuman: 2, pressedAccept: 1, pressedCallback: 1, pressedContinue: 1 },
      { date: '2024-04-08', sessions: 2, pageLoaded: 2, widgetOpened: 1, requestedHuman: 1, pressedAccept: 0, pressedCallback: 0, pressedContinue: 0 },
    ]);
  });

  it('puts both 02:30s of the repeated DST hour into local hour 2', async () => {
    const hours = await getHourly(db(), source, APRIL);
    expect(hours).toHaveLength(24);
    const sessionsByHour = Object.fromEntries(hours.filter((h) => h.sessions > 0).map((h) => [h.hour, h.sessions]));
    expect(sessionsByHour).toEqual({ 0: 1, 2: 2, 8: 1, 11: 1, 13: 1, 14: 1, 23: 2 });
    expect(hours[2]).toEqual({ hour: 2, sessions: 2, pageLoaded: 2, widgetOpened: 2, requestedHuman: 1, pressedAccept: 0, pressedCallback: 1, pressedContinue: 1 });
    expect(peakHours(hours, 3)).toEqual([2, 23, 0]);
  });

  it('skips the missing hour on the 23-hour DST day and keeps its day whole', async () => {
    const range = metricQuery(resolveRange({ from: '2024-10-06', to: '2024-10-06' }, SYDNEY));
    const hours = await getHourly(db(), source, range);
    const sessionsByHour = Object.fromEntries(hours.filter((h) => h.sessions > 0).map((h) => [h.hour, h.sessions]));
    expect(sessionsByHour).toEqual({ 0: 1, 1: 1, 3: 1, 23: 1 });
    expect(await getDaily(db(), source, range)).toMatchObject([{ date: '2024-10-06', sessions: 4, pageLoaded: 4 }]);
  });

  it('places sessions in ISO weekday × local hour cells', async () => {
    const cells = await getHeatmap(db(), source, APRIL);
    expect(cells).toHaveLength(168);
    const nonZero = cells.filter((c) => c.sessions > 0).map((c) => [c.weekday, c.hour, c.sessions]);
    expect(nonZero).toEqual([[1, 8, 1], [1, 23, 1], [6, 0, 1], [6, 13, 1], [6, 14, 1], [7, 2, 2], [7, 11, 1], [7, 23, 1]]);
  });

  it('measures session duration from the earliest to the latest step over sessions with two or more', async () => {
    // durations: s01 180, s05 30, s06 360, s09 360, s10 120, s11 120 (its widget opened before the page load)
    expect(await getDuration(db(), source, APRIL)).toEqual({ sessions: 6, medianSeconds: 150, p90Seconds: 360, meanSeconds: 195, approximate: false });
  });

  it('reports key rates relative to the previous step and the accept/callback split', async () => {
    const metrics = await getMetrics(db(), source, APRIL);
    expect(metrics.rates.pageLoad).toEqual({ value: 8 / 9, numerator: 8, denominator: 9 });
    expect(metrics.rates.humanRequest).toEqual({ value: 0.8, numerator: 4, denominator: 5 });
    expect(metrics.acceptVsCallback.accept).toEqual({ value: 2 / 3, numerator: 2, denominator: 3 });
    expect(metrics.peakHours).toEqual([2, 23, 0]);
  });

  it('uses the tz override for both the range and the buckets', async () => {
    const range = metricQuery(resolveRange({ from: '2024-04-06', to: '2024-04-08', tz: 'UTC' }, SYDNEY));
    const days = await getDaily(db(), source, range);
    expect(days.map((d) => [d.date, d.sessions])).toEqual([['2024-04-06', 4], ['2024-04-07', 3], ['2024-04-08', 2]]);
  });

  it('treats RFC 3339 bounds as a half-open interval', async () => {
    const range = metricQuery(resolveRange({ from: '2024-04-07T02:00:00+10:00', to: '2024-04-07T11:00:00+10:00' }, SYDNEY));
    expect((await getFunnel(db(), source, range)).sessions).toBe(1);
    expect(range.range.days).toEqual(['2024-04-07']);
  });

  it('answers an empty range with zeros and null rates', async () => {
    const range = metricQuery(resolveRange({ from: '2023-01-01', to: '2023-01-07' }, SYDNEY));
    const funnel = await getFunnel(db(), source, range);
    expect(funnel.sessions).toBe(0);
    expect(funnel.steps.every((s) => s.count === 0 && s.rateFromPrevious === null && s.rateFromFirst === null)).toBe(true);
    expect((await getDaily(db(), source, range)).map((d) => d.sessions)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(await getDuration(db(), source, range)).toEqual({ sessions: 0, medianSeconds: null, p90Seconds: null, meanSeconds: null, approximate: false });
    expect(peakHours(await getHourly(db(), source, range), 1)).toEqual([]);
  });

  it('pages sessions newest first with a stable cursor', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    const pages: number[] = [];
    do {
      const page = await getSessions(db(), source, APRIL, { limit: 4, cursor });
      ids.push(...page.sessions.map((s) => s.sessionId));
      pages.push(page.sessions.length);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(['s04', 's11', 's07', 's10', 's06', 's05', 's09', 's08', 's01']);
    expect(pages).toEqual([4, 4, 1]);
    const first = await getSessions(db(), source, APRIL, { limit: 2 });
    expect(first.sessions[1]).toMatchObject({
      sessionId: 's11', startedAt: '2024-04-07T22:00:00.000000Z', reachedStep: 'requestedHuman', durationSeconds: 120,
      widgetOpened: '2024-04-07T21:59:00.000000Z', pressedAccept: null,
    });
    expect(first.sessions[0]).toMatchObject({ sessionId: 's04', reachedStep: 'pageLoaded', durationSeconds: null });
  });

  it('counts leads by their own creation time, ignoring empty emails', async () => {
    expect(await getLeads(db(), source, APRIL)).toEqual({
      available: true, total: 3, sessions: 9, withEmail: 2, withPhone: 2, captureRate: 3 / 9,
      days: [{ date: '2024-04-06', leads: 1 }, { date: '2024-04-07', leads: 1 }, { date: '2024-04-08', leads: 1 }],
    });
  });
});

describe('optional tables', () => {
  it('reports leads as unavailable when the Leads table is missing', async () => {
    await loadSydneyFixture(database.pool, 'noleads', 'timestamp', false);
    const source = await describeSource(database.pool, 'noleads');
    expect(await getLeads(database.pool, source, APRIL)).toEqual({ available: false, reason: 'The client database has no "Leads" table' });
  });
});
