import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadHandoffFixture } from '../fixtures/handoffFixture.ts';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
const APRIL = 'from=2024-04-06&to=2024-04-08';
let alphaDb: TestDatabase;
let betaDb: TestDatabase;
let app: App;

beforeAll(async () => {
  alphaDb = await createTestDatabase('conversion_alpha');
  betaDb = await createTestDatabase('conversion_beta');
  // alpha: timestamp(3) with AgentConnection; beta: the same sessions in timestamptz, without AgentConnection
  await loadHandoffFixture(alphaDb.pool, 'public', 'timestamp');
  await loadHandoffFixture(betaDb.pool, 'public', 'timestamptz', { agentConnection: false });
  const clients = [testClient('alpha', 'Australia/Sydney', alphaDb.url), testClient('beta', 'Europe/London', betaDb.url)];
  app = await buildTestApp(clients, { admin: KEYS.admin, clients: { alpha: KEYS.alpha, beta: KEYS.beta } });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await alphaDb?.drop();
  await betaDb?.drop();
});

const get = (url: string, key = KEYS.admin, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { ...bearer(key), ...headers } });
const json = async (url: string) => (await get(url)).json();
const counts = (body: { outcomes: { outcome: string; count: number }[] }) => Object.fromEntries(body.outcomes.map((o) => [o.outcome, o.count]));

describe('GET /api/{clientId}/time-to-convert', () => {
  it('answers timings, histograms and the daily p50 trend for the range', async () => {
    const res = await get(`/api/alpha/time-to-convert?${APRIL}`, KEYS.alpha);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ clientId: 'alpha', timezone: 'Australia/Sydney', from: '2024-04-06T00:00:00.000+11:00' });
    expect(body.transitions[0]).toMatchObject({
      key: 'pageLoadedToWidgetOpened', from: 'pageLoaded', to: 'widgetOpened', count: 8, p50Seconds: 37.5, p90Seconds: 123, meanSeconds: 57.5,
    });
    expect(body.transitions[0].histogram[4]).toEqual({ label: '2-5m', fromSeconds: 120, toSeconds: 300, count: 1 });
    expect(body.trend.map((d: { p50Seconds: Record<string, number | null> }) => d.p50Seconds.pageLoadedToPressedAccept)).toEqual([145, 802.5, null]);
  });

  it('gives the same answer from timestamptz columns', async () => {
    const alpha = await json(`/api/alpha/time-to-convert?${APRIL}`);
    const beta = await json(`/api/beta/time-to-convert?${APRIL}&tz=Australia/Sydney`);
    expect(beta.transitions).toEqual(alpha.transitions);
    expect(beta.trend).toEqual(alpha.trend);
  });

  it('compares with the previous period', async () => {
    const body = await json(`/api/alpha/time-to-convert?${APRIL}&compare=previous`);
    expect(body.comparison).toMatchObject({ from: '2024-04-03T00:00:00.000+11:00', to: '2024-04-06T00:00:00.000+11:00' });
    expect(body.comparison.transitions[0]).toMatchObject({ count: 1, p50Seconds: 10 });
    expect(body.changes.find((c: { metric: string }) => c.metric === 'transitions.pageLoadedToWidgetOpened.p50Seconds'))
      .toMatchObject({ kind: 'seconds', current: 37.5, previous: 10, smallSample: true });
  });

  it('exports totals with histogram bins and one row per day and transition as CSV', async () => {
    const res = await get(`/api/alpha/time-to-convert?${APRIL}&format=csv`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toBe('kind,date,transition,count,p50_seconds,p90_seconds,mean_seconds,bin <10s,bin 10-30s,bin 30s-1m,bin 1-2m,bin 2-5m,bin 5-15m,bin 15-60m,bin >=1h');
    expect(lines[1]).toBe('total,,pageLoadedToWidgetOpened,8,37.5,123,57.5,1,2,2,2,1,0,0,0');
    expect(lines).toContain('day,2024-04-07,pageLoadedToPressedCallback,0,,,,,,,,,,,');
    expect(lines).toHaveLength(1 + 5 + 3 * 5);
  });
});

describe('GET /api/{clientId}/handoffs', () => {
  it('counts outcomes with a 10-minute default, pending relative to now, and agent figures', async () => {
    const body = await json(`/api/alpha/handoffs?${APRIL}`);
    expect(body).toMatchObject({ abandonAfterSeconds: 600, handoffs: 8 });
    expect(counts(body)).toEqual({ accepted: 3, callback: 1, continued: 1, abandoned: 2, pending: 1 });
    expect(body.outcomes[3]).toEqual({ outcome: 'abandoned', count: 2, share: 0.25 });
    expect(body.agent).toMatchObject({
      available: true, requested: 7, connected: 5, neverConnected: { count: 2 },
      timeToAgent: { count: 4, p50Seconds: 67.5, p90Seconds: 447, meanSeconds: 191.25 },
      connectionDuration: { count: 4, p50Seconds: 450 },
    });
    expect(body.agent.staffing).toHaveLength(168);
    expect(body.agent.staffing[6 * 24 + 2]).toEqual({ weekday: 7, hour: 2, requested: 2, answered: 1 });
  });

  it('applies abandonAfter and the funnel mode', async () => {
    expect(counts(await json(`/api/alpha/handoffs?${APRIL}&abandonAfter=2m`))).toEqual({ accepted: 2, callback: 0, continued: 1, abandoned: 5, pending: 0 });
    expect(counts(await json(`/api/alpha/handoffs?${APRIL}&abandonAfter=PT2M`))).toMatchObject({ abandoned: 5 });
    expect((await json(`/api/alpha/handoffs?${APRIL}&mode=ordered`)).handoffs).toBe(7);
  });

  it('answers 200 with agent not available when the client has no AgentConnection table', async () => {
    const res = await get(`/api/beta/handoffs?${APRIL}&tz=Australia/Sydney`);
    expect(res.statusCode).toBe(200);
    expect(res.json().agent).toEqual({ available: false, reason: 'The client database has no "AgentConnection" table' });
    expect(counts(res.json())).toEqual({ accepted: 3, callback: 1, continued: 1, abandoned: 2, pending: 1 });
  });

  it('compares outcomes and time to agent with the previous period', async () => {
    const body = await json(`/api/alpha/handoffs?${APRIL}&compare=previous`);
    expect(body.comparison).toMatchObject({ handoffs: 1, agent: { available: true, requested: 1 } });
    const metrics = body.changes.map((c: { metric: string }) => c.metric);
    expect(metrics).toContain('outcomes.pending.share');
    expect(body.changes.find((c: { metric: string }) => c.metric === 'agent.timeToAgent.p50Seconds')).toMatchObject({ current: 67.5, previous: 5 });
  });

  it('exports outcomes, agent figures and the staffing view as CSV', async () => {
    const res = await get(`/api/alpha/handoffs?${APRIL}`, KEYS.alpha, { accept: 'text/csv' });
    expect(res.headers['content-disposition']).toBe('attachment; filename="alpha-handoffs-2024-04-06.csv"');
    const lines = res.body.trim().split('\n');
    expect(lines.slice(0, 8)).toEqual([
      'metric,value,numerator,denominator',
      'abandonAfterSeconds,600,,',
      'handoffs,8,,',
      'outcome.accepted,0.375,3,8',
      'outcome.callback,0.125,1,8',
      'outcome.continued,0.125,1,8',
      'outcome.abandoned,0.25,2,8',
      'outcome.pending,0.125,1,8',
    ]);
    expect(lines).toContain('agent.timeToAgent.p50Seconds,67.5,,4');
    expect(lines).toContain('staffing.Sun.02,0.5,1,2');
    expect(lines).toContain('staffing.Mon.00,,0,0');
  });

  it.each([
    ['abandonAfter=soon', 'abandonAfter'],
    ['abandonAfter=31d', 'abandonAfter'],
    ['abandonAfter=PT1M-and-then-some-more', 'abandonAfter'],
    ['mode=sideways', 'mode'],
  ])('rejects %s with a 400 naming %s', async (query, field) => {
    const res = await get(`/api/alpha/handoffs?${APRIL}&${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message.startsWith(`${field}:`)).toBe(true);
  });
});

describe('access and documentation', () => {
  it.each(['time-to-convert', 'handoffs'])("answers 404 for another client's %s exactly like an unknown client", async (path) => {
    const other = await get(`/api/beta/${path}?${APRIL}`, KEYS.alpha);
    const unknown = await get(`/api/nobody/${path}?${APRIL}`, KEYS.alpha);
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Client "beta" not found' } });
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    expect(other.body).not.toMatch(/handoffs|transitions/);
  });

  it('lists both endpoints and abandonAfter in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/{clientId}/time-to-convert', '/api/{clientId}/handoffs']));
    const params = doc.paths['/api/{clientId}/handoffs'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['abandonAfter', 'mode', 'window', 'compare', 'format']));
  });
});
