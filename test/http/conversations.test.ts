import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { BETA, loadChatFixture } from '../fixtures/chatFixture.ts';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
const MAY = 'from=2024-05-01&to=2024-05-02';
let database: TestDatabase;
let app: App;

beforeAll(async () => {
  database = await createTestDatabase('conversations_api');
  await loadChatFixture(database.pool, 'alpha', { kind: 'timestamp', chat: { role: 'role', text: 'message' }, leadSource: 'source' });
  await loadChatFixture(database.pool, 'beta', { kind: 'timestamptz', chat: { role: 'role', text: 'message' }, leadSource: 'source', data: BETA });
  await loadChatFixture(database.pool, 'gamma', { kind: 'timestamp', chat: false, leadSource: null, agentConnections: false });
  const clients = ['alpha', 'beta', 'gamma'].map((id) => testClient(id, 'Australia/Sydney', database.url, id));
  app = await buildTestApp(clients, { admin: KEYS.admin, clients: { alpha: KEYS.alpha } });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const get = (url: string, key = KEYS.admin, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { ...bearer(key), ...headers } });
const json = async (url: string) => (await get(url)).json();
const lines = (body: string) => body.trim().split('\n');

describe('GET /api/{clientId}/conversations', () => {
  it('answers the conversation figures for the range', async () => {
    expect(await json(`/api/alpha/conversations?${MAY}`)).toEqual({
      clientId: 'alpha', timezone: 'Australia/Sydney', from: '2024-05-01T00:00:00.000+10:00', to: '2024-05-03T00:00:00.000+10:00',
      generatedAt: expect.any(String), available: true, sessions: 6, conversations: 5, conversationRate: 5 / 6, contained: 3, containmentRate: 0.6,
      messages: 16, messagesByRole: { user: 8, bot: 5, agent: 2, other: 1 },
      messagesPerConversation: { p50: 3, p90: 5.2, mean: 3.2 },
      conversationLength: { conversations: 4, p50Seconds: 85, p90Seconds: 209, meanSeconds: 102.5 },
    });
  });

  it('compares with the previous period', async () => {
    // 29–30 April: only c4 (anchor 23:59 on the 30th), one user message, no human request
    const body = await json(`/api/alpha/conversations?${MAY}&compare=previous`);
    expect(body.comparison).toMatchObject({ from: '2024-04-29T00:00:00.000+10:00', sessions: 1, conversations: 1, contained: 1, containmentRate: 1 });
    const change = (metric: string) => body.changes.find((c: { metric: string }) => c.metric === metric);
    expect(change('conversations')).toMatchObject({ current: 5, previous: 1, change: 4, relativeChange: 4, smallSample: true });
    expect(change('containmentRate')).toMatchObject({ kind: 'rate', current: 0.6, previous: 1, percentagePoints: -40 });
    expect(change('conversationLength.p50Seconds')).toMatchObject({ kind: 'seconds', current: 85, previous: null, change: null });
  });

  it('applies the funnel window to containment', async () => {
    expect((await json(`/api/alpha/conversations?${MAY}&window=2m`)).contained).toBe(4);
  });

  it('exports the figures as CSV', async () => {
    const res = await get(`/api/alpha/conversations?${MAY}&format=csv`);
    expect(res.headers['content-disposition']).toBe('attachment; filename="alpha-conversations-2024-05-01.csv"');
    expect(lines(res.body).slice(0, 6)).toEqual([
      'metric,value,denominator', 'sessions,6,', 'conversations,5,6', `conversationRate,${5 / 6},6`, 'contained,3,5', 'containmentRate,0.6,5',
    ]);
  });

  it('answers 200 with available: false when the client has no ChatLog', async () => {
    const res = await get(`/api/gamma/conversations?${MAY}&compare=previous`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ available: false, reason: 'The client database has no "ChatLog" table', changes: [] });
    expect(lines((await get(`/api/gamma/conversations?${MAY}&format=csv`)).body)).toEqual([
      'available,reason', 'false,"The client database has no ""ChatLog"" table"',
    ]);
  });
});

describe('GET /api/{clientId}/lead-sources', () => {
  it('answers leads per source with share, capture rate and human requests, and compares', async () => {
    const body = await json(`/api/alpha/lead-sources?${MAY}&compare=previous`);
    expect(body).toMatchObject({ available: true, sourceColumn: 'source', total: 6, sessions: 6, requestedHuman: 3 });
    expect(body.sources[0]).toEqual({ source: 'google', leads: 3, share: 0.5, captureRate: 0.5, requestedHuman: 2, requestedHumanShare: 2 / 3 });
    // 29–30 April: L6 (google) and one session
    expect(body.comparison).toMatchObject({ total: 1, sessions: 1, sources: [{ source: 'google', leads: 1, captureRate: 1 }] });
    const change = (metric: string) => body.changes.find((c: { metric: string }) => c.metric === metric);
    expect(change('sources.google.leads')).toMatchObject({ current: 3, previous: 1, change: 2 });
    expect(change('sources.(none).leads')).toMatchObject({ current: 2, previous: 0, relativeChange: null });
    expect(change('sources.google.captureRate')).toMatchObject({ current: 0.5, previous: 1, percentagePoints: -50 });
  });

  it('exports one row per source as CSV', async () => {
    expect(lines((await get(`/api/alpha/lead-sources?${MAY}`, KEYS.admin, { accept: 'text/csv' })).body)).toEqual([
      'source,leads,share,capture_rate,requested_human,requested_human_share',
      'google,3,0.5,0.5,2,0.6666666666666666',
      '(none),2,0.3333333333333333,0.3333333333333333,1,0.5',
      'facebook,1,0.16666666666666666,0.16666666666666666,0,0',
    ]);
  });

  it('answers 200 with available: false when Leads has no source column', async () => {
    const res = await get(`/api/gamma/lead-sources?${MAY}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ available: false, reason: '"Leads" has no source column (source, utmSource, utm_source, channel)' });
  });
});

describe('GET /api/{clientId}/sessions/{sessionId}', () => {
  it('answers the session, its timeline, transcript, lead and agent connection', async () => {
    const body = await json('/api/alpha/sessions/c1');
    expect(body).toMatchObject({
      clientId: 'alpha', timezone: 'Australia/Sydney',
      session: { sessionId: 'c1', startedAt: '2024-05-01T00:00:00.000000Z', reachedStep: 'requestedHuman', durationSeconds: 240 },
      leads: { available: true, rows: [{ id: 'L1', email: 'sam@example.com', source: 'google' }] },
      agentConnections: { available: true, rows: [{ id: 'A1', status: 'completed', connectedAt: '2024-05-01T00:04:20.000000Z' }] },
    });
    expect(body.timeline).toHaveLength(4);
    expect(body.transcript.rows).toHaveLength(6);
  });

  it('marks the parts whose tables are missing as not available', async () => {
    const body = await json('/api/gamma/sessions/c6');
    expect(body.transcript).toEqual({ available: false, reason: 'The client database has no "ChatLog" table' });
    expect(body.agentConnections).toEqual({ available: false, reason: 'The client database has no "AgentConnection" table' });
    expect(body.leads).toMatchObject({ available: true, rows: [{ id: 'L3', source: null }, { id: 'L8', source: null }] });
  });

  it("exports the transcript as CSV in the client's local time, or in tz", async () => {
    const res = await get('/api/alpha/sessions/c1?format=csv');
    expect(res.headers['content-disposition']).toBe('attachment; filename="alpha-session-c1.csv"');
    expect(lines(res.body)).toEqual([
      'at,role,normalized_role,text',
      '2024-05-01T10:01:10.000+10:00,user,user,"Hi, do you open on Saturdays?"',
      '2024-05-01T10:01:15.000+10:00,assistant,bot,We open 9 to 1 on Saturdays.',
      '2024-05-01T10:02:00.000+10:00,user,user,Can I talk to a person?',
      '2024-05-01T10:02:05.000+10:00,bot,bot,Connecting you now.',
      '2024-05-01T10:04:30.000+10:00,operator,agent,"Hello, Sam here."',
      "2024-05-01T10:05:00.000+10:00,visitor,user,'=thanks",
    ]);
    expect(lines((await get('/api/alpha/sessions/c1?format=csv&tz=Asia/Tokyo')).body)[1]).toMatch(/^2024-05-01T09:01:10\.000\+09:00,/);
  });

  it('answers 404 for an unknown session id', async () => {
    const res = await get('/api/alpha/sessions/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Session not found' } });
  });

  it("answers 404 for another client's session through this client's path", async () => {
    expect((await get('/api/alpha/sessions/b1')).statusCode).toBe(404);
    expect((await get('/api/beta/sessions/b1')).statusCode).toBe(200);
  });

  it("answers 404 to a client key asking for another client's session", async () => {
    const res = await get('/api/beta/sessions/b1', KEYS.alpha);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('Client "beta" not found');
    expect((await get('/api/alpha/sessions/c1', KEYS.alpha)).statusCode).toBe(200);
  });

  it('answers 400 for an unknown tz', async () => {
    const res = await get('/api/alpha/sessions/c1?tz=Mars/Base');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^tz:/);
  });
});

describe('client isolation', () => {
  it("never shows another client's chat, leads or sessions", async () => {
    // beta has a session b1, a lead from "beta-source" and a chat row for a session it calls c1
    const answers = await Promise.all([
      get('/api/alpha/sessions/c1'), get(`/api/alpha/conversations?${MAY}`), get(`/api/alpha/lead-sources?${MAY}`),
      get('/api/alpha/sessions/c1?format=csv'),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toMatch(/beta/i);
    }
    expect((await json(`/api/beta/conversations?${MAY}`)).conversations).toBe(1);
  });

  it('lists the endpoints in the OpenAPI document', async () => {
    const paths = Object.keys((await json('/openapi.json')).paths);
    expect(paths).toEqual(expect.arrayContaining([
      '/api/{clientId}/conversations', '/api/{clientId}/lead-sources', '/api/{clientId}/sessions/{sessionId}',
    ]));
  });
});
