import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData, type DemoData } from '../../src/demo/generateDemoData.ts';
import { LiveDemoTraffic } from '../../src/demo/liveTraffic.ts';
import { loadDemoClients } from '../../src/demo/loadDemo.ts';
import { DEMO_SCENARIOS } from '../../src/demo/scenarios.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

/** The demo's live traffic: what the generator adds as time passes, appended once, on a test clock. */
const ANCHOR = new Date('2026-11-18T11:00:00Z'); // Wednesday: 22:00 in Sydney, 11:00 in London
const hours = (h: number) => new Date(ANCHOR.getTime() + h * 3_600_000);
const DAYS = 10;
const maple = { id: 'maple', timezone: 'Australia/Sydney', schema: 'maple' };
const client2 = { id: 'client2', timezone: 'Europe/London', schema: 'client2' };
const generated = (client: typeof maple, now: Date, since?: Date) =>
  generateDemoData(client, { days: DAYS, anchor: ANCHOR, now, scenario: DEMO_SCENARIOS[client.id], ...(since ? { since } : {}) });

/** Every table's ids, sorted: what a generation (or a database) holds. */
const idsOf = (data: DemoData) => ({
  UserEvents: data.userEvents.map((r) => r.sessionId).sort(),
  Leads: data.leads.map((r) => r.id).sort(),
  ChatLog: data.chatLog.map((r) => r.id).sort(),
  AgentConnection: data.agentConnections.map((r) => r.id).sort(),
});

let db: TestDatabase;
let live: LiveDemoTraffic;
const stored = async (schema: string) => {
  const ids = async (table: string, column: string) =>
    (await db.pool.query<{ id: string }>(`SELECT "${column}" AS id FROM ${schema}."${table}"`)).rows.map((r) => r.id);
  return { UserEvents: await ids('UserEvents', 'sessionId'), Leads: await ids('Leads', 'id'), ChatLog: await ids('ChatLog', 'id'), AgentConnection: await ids('AgentConnection', 'id') };
};
const sortedC = (ids: Record<string, string[]>) => Object.fromEntries(Object.entries(ids).map(([t, v]) => [t, [...v].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))]));

beforeAll(async () => {
  db = await createTestDatabase('live_traffic');
  await loadDemoClients(db.pool, [maple, client2], { days: DAYS, now: ANCHOR, scenarios: DEMO_SCENARIOS });
  live = new LiveDemoTraffic(db.pool);
  for (const client of [maple, client2]) live.track(client, { days: DAYS, anchor: ANCHOR, scenario: DEMO_SCENARIOS[client.id] });
}, 60_000);
afterAll(() => db?.drop());

describe('the generator as time passes', () => {
  it('keeps every earlier row, with the same id, and adds exactly the sessions that ended since', () => {
    const before = generated(maple, hours(3));
    const after = generated(maple, hours(20)); // past midnight in both zones
    const kept = new Set(before.userEvents.map((r) => r.sessionId));
    expect(after.userEvents.filter((r) => kept.has(r.sessionId))).toEqual(before.userEvents);
    expect(after.chatLog.filter((m) => kept.has(m.sessionId))).toEqual(before.chatLog);
    const added = generated(maple, hours(20), hours(3));
    expect(added.userEvents).toEqual(after.userEvents.filter((r) => !kept.has(r.sessionId)));
    expect(added.userEvents.length).toBeGreaterThan(50);
    expect(generated(maple, ANCHOR)).toEqual(generateDemoData(maple, { days: DAYS, now: ANCHOR, scenario: DEMO_SCENARIOS.maple }));
  });

  it('keeps the silent chatbot silent and the halved widget open rate halved on the days after the anchor', () => {
    const week = generated(client2, hours(7 * 24));
    const last = Math.max(...week.userEvents.map((r) => r.createdAt.getTime()));
    expect(last).toBeLessThanOrEqual(ANCHOR.getTime() - 26 * 3_600_000);

    const rate = (rows: DemoData['userEvents']) => rows.filter((r) => r.widgetOpened).length / rows.filter((r) => r.pageLoaded).length;
    const mapleWeek = generated(maple, hours(7 * 24));
    const dropStart = ANCHOR.getTime() - 2 * 86_400_000; // well inside the drop's three local days
    const before = mapleWeek.userEvents.filter((r) => r.createdAt.getTime() < ANCHOR.getTime() - 4 * 86_400_000);
    const liveDays = mapleWeek.userEvents.filter((r) => r.createdAt.getTime() > ANCHOR.getTime());
    expect(mapleWeek.userEvents.some((r) => r.createdAt.getTime() > dropStart)).toBe(true);
    expect(liveDays.length).toBeGreaterThan(500);
    expect(rate(liveDays) / rate(before)).toBeGreaterThan(0.4);
    expect(rate(liveDays) / rate(before)).toBeLessThan(0.6);
  });
});

describe('LiveDemoTraffic.append', () => {
  it("appends exactly the generator's sessions for the span, and nothing twice when run twice", async () => {
    const first = await live.append(hours(3));
    const expected = generated(maple, hours(3));
    expect(sortedC(await stored('maple'))).toEqual(sortedC(idsOf(expected)));
    const mapleFirst = first.find((a) => a.clientId === 'maple')!;
    expect(mapleFirst.rows.UserEvents).toBe(expected.userEvents.length - generated(maple, ANCHOR).userEvents.length);
    expect(mapleFirst.rows.UserEvents).toBeGreaterThan(0);
    expect(first.find((a) => a.clientId === 'client2')!.rows.UserEvents).toBe(0); // silent, and it stays so

    const again = await live.append(hours(3));
    expect(again).toEqual([]);
    const concurrent = await Promise.all([live.append(hours(20)), live.append(hours(20))]);
    expect(concurrent[1]).toEqual([]);
    for (const client of [maple, client2]) expect(sortedC(await stored(client.schema))).toEqual(sortedC(idsOf(generated(client, hours(20)))));
    const { rows: [dupes] } = await db.pool.query(`SELECT count(*) - count(DISTINCT "sessionId") AS n FROM maple."UserEvents"`);
    expect(Number(dupes.n)).toBe(0);
  });
});
