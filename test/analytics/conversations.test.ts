import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSource, type ClientSource } from '../../src/tenants/clientSource.ts';
import { resolveRange } from '../../src/analytics/range.ts';
import { metricQuery } from '../../src/analytics/query.ts';
import { getConversations } from '../../src/analytics/getConversations.ts';
import { getSessionDetail } from '../../src/analytics/getSessionDetail.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadChatFixture } from '../fixtures/chatFixture.ts';

const SYDNEY = 'Australia/Sydney';
const MAY = metricQuery(resolveRange({ from: '2024-05-01', to: '2024-05-02' }, SYDNEY));
let database: TestDatabase;
const source = (schema: string): Promise<ClientSource> => describeSource(database.pool, schema);

beforeAll(async () => {
  database = await createTestDatabase('conversations');
  await loadChatFixture(database.pool, 'ts', { kind: 'timestamp', chat: { role: 'role', text: 'message' }, leadSource: 'source' });
  await loadChatFixture(database.pool, 'tstz', { kind: 'timestamptz', chat: { role: 'from', text: 'content' }, leadSource: 'utm_source' });
  await loadChatFixture(database.pool, 'nochat', { kind: 'timestamp', chat: false, leadSource: false, agentConnections: false });
  await loadChatFixture(database.pool, 'norole', { kind: 'timestamp', chat: { role: 'speaker', text: 'message' }, leadSource: null });
  await loadChatFixture(database.pool, 'notext', { kind: 'timestamp', chat: { role: 'sender', text: null }, leadSource: null, leadSessionId: false });
}, 60_000);
afterAll(async () => {
  await database?.drop();
});

describe.each([
  ['timestamp(3) holding UTC, role/message columns', 'ts'],
  ['timestamptz, "from"/content columns', 'tstz'],
])('conversations on %s', (_label, schema) => {
  it('counts sessions in the range by anchor and those with at least one message', async () => {
    // c1 c2 c3 c5 c6 c7 are in May 1–2 (c7 by createdAt); c5 has no chat; c4 (anchor before) and "ghost" (no session) do not count
    expect(await getConversations(database.pool, await source(schema), MAY)).toMatchObject({
      available: true, sessions: 6, conversations: 5, conversationRate: 5 / 6,
    });
  });

  it('maps role synonyms to user, bot, agent and other', async () => {
    const stats = await getConversations(database.pool, await source(schema), MAY);
    // user: c1 user ×2 + visitor, c2 Customer, c3, c6 user + " user ", c7; bot: assistant, bot, ASSISTANT, bot, bot;
    // agent: operator, human; other: system
    expect(stats).toMatchObject({ messages: 16, messagesByRole: { user: 8, bot: 5, agent: 2, other: 1 } });
  });

  it('counts conversations that never reached requestedHuman as contained', async () => {
    // c1 and c6 reached requestedHuman; c2, c3 and c7 did not
    expect(await getConversations(database.pool, await source(schema), MAY)).toMatchObject({ contained: 3, containmentRate: 0.6 });
  });

  it('counts all messages of a session whose anchor is in the range, even after the range ends', async () => {
    // per conversation [c7 1, c3 2, c2 3, c6 4, c1 6]: p50 3, p90 4 + 0.6 × 2, mean 16 / 5
    // length over conversations with two or more: [c2 10, c3 10 (after the range), c6 160, c1 230]
    const stats = await getConversations(database.pool, await source(schema), MAY);
    expect(stats).toMatchObject({
      messagesPerConversation: { p50: 3, p90: 5.2, mean: 3.2 },
      conversationLength: { conversations: 4, p50Seconds: 85, p90Seconds: 209, meanSeconds: 102.5 },
    });
  });

  it('ignores messages inside the range whose session is anchored before it', async () => {
    const april30 = metricQuery(resolveRange({ from: '2024-04-30', to: '2024-04-30' }, SYDNEY));
    expect(await getConversations(database.pool, await source(schema), april30)).toMatchObject({
      sessions: 1, conversations: 1, contained: 1, messages: 1, conversationLength: { conversations: 0, p50Seconds: null },
    });
  });

  it('follows the funnel window for containment', async () => {
    // c1 asked for a human 3 minutes after its page load: outside a 2-minute window, so contained too
    const windowed = metricQuery(MAY.range, { mode: 'any', windowSeconds: 120 });
    expect(await getConversations(database.pool, await source(schema), windowed)).toMatchObject({ contained: 4, containmentRate: 0.8 });
  });

  it('returns one session with its timeline, transcript, lead and agent connection', async () => {
    const detail = await getSessionDetail(database.pool, await source(schema), 'c1');
    expect(detail?.session).toEqual({
      sessionId: 'c1', startedAt: '2024-05-01T00:00:00.000000Z', pageLoaded: '2024-05-01T00:00:00.000000Z',
      widgetOpened: '2024-05-01T00:01:00.000000Z', requestedHuman: '2024-05-01T00:03:00.000000Z',
      pressedAccept: '2024-05-01T00:04:00.000000Z', pressedCallback: null, pressedContinue: null,
      reachedStep: 'requestedHuman', durationSeconds: 240,
    });
    expect(detail?.timeline.map((e) => [e.event, e.secondsFromStart])).toEqual([
      ['pageLoaded', 0], ['widgetOpened', 60], ['requestedHuman', 180], ['pressedAccept', 240],
    ]);
    expect(detail?.transcript.available && detail.transcript.rows.map((m) => [m.role, m.normalizedRole])).toEqual([
      ['user', 'user'], ['assistant', 'bot'], ['user', 'user'], ['bot', 'bot'], ['operator', 'agent'], ['visitor', 'user'],
    ]);
    expect(detail?.transcript.available && detail.transcript.rows[0]).toEqual({
      role: 'user', normalizedRole: 'user', text: 'Hi, do you open on Saturdays?', at: '2024-05-01T00:01:10.000000Z',
    });
    expect(detail?.leads).toEqual({ available: true, rows: [{
      id: 'L1', createdAt: '2024-05-01T00:06:00.000000Z', name: 'Name L1', email: 'sam@example.com', phone: '+61 400 000 001', source: 'google',
    }], truncated: false, nextOffset: null });
    expect(detail?.agentConnections).toEqual({ available: true, rows: [{
      id: 'A1', requestedAt: '2024-05-01T00:03:00.000000Z', connectedAt: '2024-05-01T00:04:20.000000Z', endedAt: '2024-05-01T00:10:00.000000Z', status: 'completed',
    }], truncated: false, nextOffset: null });
  });

  it('times the timeline from createdAt when the page load was not recorded', async () => {
    const detail = await getSessionDetail(database.pool, await source(schema), 'c7');
    expect(detail?.session).toMatchObject({ startedAt: '2024-05-01T09:00:00.000000Z', reachedStep: null, durationSeconds: null });
    expect(detail?.timeline).toEqual([{ event: 'widgetOpened', at: '2024-05-01T09:00:05.000000Z', secondsFromStart: 5 }]);
  });

  it('returns null for a session id the client does not have', async () => {
    expect(await getSessionDetail(database.pool, await source(schema), 'ghost')).toBeNull();
  });
});

describe('conversations without the data for them', () => {
  it('is not available without a ChatLog table', async () => {
    expect(await getConversations(database.pool, await source('nochat'), MAY)).toEqual({
      available: false, reason: 'The client database has no "ChatLog" table',
    });
  });

  it('is not available when ChatLog has no known sender column', async () => {
    expect(await getConversations(database.pool, await source('norole'), MAY)).toEqual({
      available: false, reason: '"ChatLog" has no sender column (role, sender, from, author)',
    });
  });

  it('counts without a message column but gives no transcript', async () => {
    const src = await source('notext');
    expect(await getConversations(database.pool, src, MAY)).toMatchObject({ conversations: 5, messagesByRole: { user: 8 } });
    const detail = await getSessionDetail(database.pool, src, 'c1');
    expect(detail?.transcript).toEqual({ available: false, reason: '"ChatLog" has no message column (message, text, content, body)' });
    expect(detail?.leads).toEqual({ available: false, reason: '"Leads" has no "sessionId" column' });
  });

  it('answers the session with its missing parts marked not available', async () => {
    const detail = await getSessionDetail(database.pool, await source('nochat'), 'c6');
    expect(detail).toMatchObject({
      session: { sessionId: 'c6', reachedStep: 'requestedHuman', durationSeconds: 120 },
      transcript: { available: false, reason: 'The client database has no "ChatLog" table' },
      leads: { available: false, reason: 'The client database has no "Leads" table' },
      agentConnections: { available: false, reason: 'The client database has no "AgentConnection" table' },
    });
  });
});
