import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { toCsv } from '../../src/http/csv.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
const APRIL = 'from=2024-04-06&to=2024-04-08';
let database: TestDatabase;
let app: App;

beforeAll(async () => {
  database = await createTestDatabase('compare_export');
  await loadSydneyFixture(database.pool, 'public', 'timestamp');
  app = await buildTestApp([testClient('alpha', 'Australia/Sydney', database.url)], { admin: KEYS.admin });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers: { ...bearer(KEYS.admin), ...headers } });
const json = async (url: string) => (await get(url)).json();
const change = (body: { changes: { metric: string }[] }, metric: string) => body.changes.find((c) => c.metric === metric);

describe('funnel modes', () => {
  it('ordered: a step counts only when no earlier than the previous one', async () => {
    const funnel = await json(`/api/alpha/funnel?${APRIL}&mode=ordered`);
    // s11 opened the widget a minute before its page load: it stops at pageLoaded
    expect(funnel.steps.map((s: { count: number }) => s.count)).toEqual([8, 4, 3]);
    expect(funnel.actions.map((a: { count: number }) => a.count)).toEqual([2, 1, 1]);
  });

  it('window: the whole funnel within that time of the anchor', async () => {
    const funnel = await json(`/api/alpha/funnel?${APRIL}&window=2m`);
    // s01 accepted after 3 minutes, s06 called back after 5; s10 accepted exactly at 2 minutes
    expect(funnel.steps.map((s: { count: number }) => s.count)).toEqual([8, 5, 4]);
    expect(funnel.actions.map((a: { count: number }) => a.count)).toEqual([1, 0, 0]);
    expect((await json(`/api/alpha/funnel?${APRIL}&window=PT2M`)).actions[0].count).toBe(1);
  });

  it('applies the same definition to daily, hourly, metrics and sessions', async () => {
    const daily = await json(`/api/alpha/daily?${APRIL}&mode=ordered`);
    expect(daily.days.reduce((n: number, d: { widgetOpened: number }) => n + d.widgetOpened, 0)).toBe(4);
    const hourly = await json(`/api/alpha/hourly?${APRIL}&mode=ordered`);
    expect(hourly.hours.reduce((n: number, h: { requestedHuman: number }) => n + h.requestedHuman, 0)).toBe(3);
    expect((await json(`/api/alpha/metrics?${APRIL}&mode=ordered`)).rates.widgetOpen).toEqual({ value: 0.5, numerator: 4, denominator: 8 });
    const sessions = await json(`/api/alpha/sessions?${APRIL}&mode=ordered&limit=2`);
    expect(sessions.sessions[1]).toMatchObject({ sessionId: 's11', reachedStep: 'pageLoaded' });
  });
});

describe('comparisons', () => {
  it('compare=previous: the same number of local days just before, with changes and small-sample flags', async () => {
    const funnel = await json(`/api/alpha/funnel?${APRIL}&compare=previous`);
    expect(funnel.comparison).toMatchObject({ from: '2024-04-03T00:00:00.000+11:00', to: '2024-04-06T00:00:00.000+11:00', sessions: 2 });
    expect(change(funnel, 'sessions')).toEqual({
      metric: 'sessions', kind: 'count', current: 9, previous: 2, change: 7, relativeChange: 3.5, percentagePoints: null, smallSample: true,
    });
    expect(change(funnel, 'steps.widgetOpened.rateFromPrevious')).toMatchObject({ kind: 'rate', current: 5 / 8, previous: 0, percentagePoints: 62.5 });
  });

  it('compare=year: the same dates a year earlier, or 52 weeks earlier aligned on weekdays', async () => {
    const year = await json(`/api/alpha/daily?${APRIL}&compare=year`);
    expect(year.comparison.days.map((d: { date: string }) => d.date)).toEqual(['2023-04-06', '2023-04-07', '2023-04-08']);
    expect(change(year, 'total.sessions')).toMatchObject({ current: 9, previous: 0, relativeChange: null });
    const weekday = await json(`/api/alpha/daily?${APRIL}&compare=year&compareAlign=weekday`);
    expect(weekday.comparison.days.map((d: { date: string }) => d.date)).toEqual(['2023-04-08', '2023-04-09', '2023-04-10']);
  });

  it('compares with an explicit range', async () => {
    const metrics = await json(`/api/alpha/metrics?${APRIL}&compareFrom=2024-10-06&compareTo=2024-10-06`);
    expect(metrics.comparison.sessions).toBe(4);
    expect(change(metrics, 'rates.pageLoad')).toMatchObject({ current: 8 / 9, previous: 1, smallSample: true });
    const leads = await json(`/api/alpha/leads?${APRIL}&compare=previous`);
    expect(change(leads, 'total')).toMatchObject({ current: 3, previous: 1, change: 2 }); // L5 came at 23:59:59 on 5 April
  });

  it.each([
    ['compare=bogus', 'compare'],
    ['compare=year&compareAlign=moon', 'compareAlign'],
    ['compareFrom=2024-01-01', 'compareTo'],
    ['compare=previous&compareFrom=2024-01-01&compareTo=2024-01-02', 'compare'],
    ['compareFrom=2024-01-09&compareTo=2024-01-02', 'compareFrom'],
    ['mode=sideways', 'mode'],
    ['window=soon', 'window'],
    ['window=90d', 'window'],
  ])('rejects %s with a 400 naming %s', async (query, field) => {
    const res = await get(`/api/alpha/funnel?${APRIL}&${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message.startsWith(`${field}:`)).toBe(true);
  });
});

describe('CSV exports', () => {
  it('answers CSV with a header row for format=csv', async () => {
    const res = await get(`/api/alpha/daily?${APRIL}&format=csv`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="alpha-daily-2024-04-06.csv"');
    expect(res.body.trim().split('\n')).toEqual([
      'date,sessions,pageLoaded,widgetOpened,requestedHuman,pressedAccept,pressedCallback,pressedContinue',
      '2024-04-06,3,2,1,1,1,0,0',
      '2024-04-07,4,4,3,2,1,1,1',
      '2024-04-08,2,2,1,1,0,0,0',
    ]);
  });

  it("answers CSV for Accept: text/csv, with the client's local times", async () => {
    const res = await get(`/api/alpha/sessions?${APRIL}&limit=1`, { accept: 'text/csv' });
    const [header, row] = res.body.trim().split('\n');
    expect(header).toBe('session_id,started_at,pageLoaded,widgetOpened,requestedHuman,pressedAccept,pressedCallback,pressedContinue,reached_step,duration_seconds');
    expect(row).toBe('s04,2024-04-08T23:59:59.999+10:00,2024-04-08T23:59:59.999+10:00,,,,,,pageLoaded,');
  });

  it.each(['funnel', 'hourly', 'heatmap', 'metrics', 'leads'])('exports %s as CSV', async (endpoint) => {
    const res = await get(`/api/alpha/${endpoint}?${APRIL}&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.body.split('\n').length).toBeGreaterThan(2);
  });

  it('keeps JSON when the caller prefers it', async () => {
    expect((await get(`/api/alpha/funnel?${APRIL}`, { accept: 'application/json, text/csv' })).json().sessions).toBe(9);
  });

  it('neutralises cells that a spreadsheet would run as formulas', () => {
    expect(toCsv({ columns: ['name'], rows: [['=HYPERLINK("x")'], ['+1'], ['ok']] })).toBe('name\n"\'=HYPERLINK(""x"")"\n\'+1\nok\n');
  });
});
