import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSource, type ClientSource } from '../../src/tenants/clientSource.ts';
import { resolveRange } from '../../src/analytics/range.ts';
import { metricQuery } from '../../src/analytics/query.ts';
import { getLeadSources } from '../../src/analytics/getLeadSources.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadChatFixture } from '../fixtures/chatFixture.ts';

const SYDNEY = 'Australia/Sydney';
const MAY = metricQuery(resolveRange({ from: '2024-05-01', to: '2024-05-02' }, SYDNEY));
let database: TestDatabase;
const source = (schema: string): Promise<ClientSource> => describeSource(database.pool, schema);

beforeAll(async () => {
  database = await createTestDatabase('lead_sources');
  await loadChatFixture(database.pool, 'ts', { kind: 'timestamp', chat: false, leadSource: 'source' });
  await loadChatFixture(database.pool, 'tstz', { kind: 'timestamptz', chat: false, leadSource: 'utm_source' });
  await loadChatFixture(database.pool, 'channel', { kind: 'timestamp', chat: false, leadSource: 'channel', leadSessionId: false });
  await loadChatFixture(database.pool, 'nosource', { kind: 'timestamp', chat: false, leadSource: null });
  await loadChatFixture(database.pool, 'noleads', { kind: 'timestamp', chat: false, leadSource: false });
}, 60_000);
afterAll(async () => {
  await database?.drop();
});

describe.each([
  ['timestamp(3) holding UTC, "source" column', 'ts', 'source'],
  ['timestamptz, "utm_source" column', 'tstz', 'utm_source'],
])('leads by source on %s', (_label, schema, column) => {
  it('counts leads by their own createdAt per trimmed source, blanks as (none), most leads first', async () => {
    // In May 1–2: L1 L2 L8 google (L8 is " google "), L3 blank and L4 NULL, L5 facebook; L6 and L7 fall outside
    // although L7's session is inside. 6 sessions in the range.
    const stats = await getLeadSources(database.pool, await source(schema), MAY);
    expect(stats).toMatchObject({ available: true, sourceColumn: column, total: 6, sessions: 6 });
    expect(stats.available && stats.sources.map((s) => [s.source, s.leads, s.share, s.captureRate])).toEqual([
      ['google', 3, 0.5, 0.5],
      ['(none)', 2, 2 / 6, 2 / 6],
      ['facebook', 1, 1 / 6, 1 / 6],
    ]);
  });

  it("counts leads whose session reached requestedHuman; a lead whose session is not in UserEvents did not", async () => {
    // google: L1 (c1 yes), L2 (c2 no), L8 (c6 yes); (none): L3 (c6 yes), L4 (c5 no); facebook: L5 (no session row)
    const stats = await getLeadSources(database.pool, await source(schema), MAY);
    expect(stats).toMatchObject({ requestedHuman: 3 });
    expect(stats.available && stats.sources.map((s) => [s.source, s.requestedHuman, s.requestedHumanShare])).toEqual([
      ['google', 2, 2 / 3],
      ['(none)', 1, 0.5],
      ['facebook', 0, 0],
    ]);
  });

  it('follows the funnel window for requestedHuman', async () => {
    // c1 asked 3 minutes after its page load, outside a 2-minute window
    const stats = await getLeadSources(database.pool, await source(schema), metricQuery(MAY.range, { mode: 'any', windowSeconds: 120 }));
    expect(stats.available && stats.sources.map((s) => s.requestedHuman)).toEqual([1, 1, 0]);
  });

  it('answers an empty list for a range without leads', async () => {
    const empty = metricQuery(resolveRange({ from: '2024-06-01', to: '2024-06-01' }, SYDNEY));
    expect(await getLeadSources(database.pool, await source(schema), empty)).toEqual({
      available: true, sourceColumn: column, total: 0, sessions: 0, requestedHuman: 0, sources: [], otherSources: null,
    });
  });
});

describe('leads by source without the data for them', () => {
  it('uses a "channel" column, and gives null human requests without Leads.sessionId', async () => {
    const stats = await getLeadSources(database.pool, await source('channel'), MAY);
    expect(stats).toMatchObject({ available: true, sourceColumn: 'channel', total: 6, requestedHuman: null });
    expect(stats.available && stats.sources[0]).toEqual({
      source: 'google', leads: 3, share: 0.5, captureRate: 0.5, requestedHuman: null, requestedHumanShare: null,
    });
  });

  it('lists the 100 sources with most leads and sums the rest, keeping every total exact', async () => {
    // 130 free-text sources: source k has k leads (k = 1..130), all inside May 1 (Sydney).
    await database.pool.query(`CREATE SCHEMA many;
      CREATE TABLE many."UserEvents" (LIKE ts."UserEvents" INCLUDING ALL); INSERT INTO many."UserEvents" SELECT * FROM ts."UserEvents";
      CREATE TABLE many."Leads" (LIKE ts."Leads" INCLUDING ALL);
      INSERT INTO many."Leads" ("id", "sessionId", "createdAt", "source")
        SELECT 'L' || k || '-' || n, NULL, timestamp '2024-04-30 20:00:00', 'src-' || lpad(k::text, 3, '0')
          FROM generate_series(1, 130) AS k, generate_series(1, k) AS n`);
    const stats = await getLeadSources(database.pool, await source('many'), MAY);
    if (!stats.available) throw new Error(stats.reason);
    expect(stats.total).toBe((130 * 131) / 2);
    expect(stats.sources).toHaveLength(100);
    expect([stats.sources[0]!.source, stats.sources[0]!.leads, stats.sources[99]!.source]).toEqual(['src-130', 130, 'src-031']);
    expect(stats.otherSources).toEqual({ sources: 30, leads: (30 * 31) / 2 });
    expect(stats.sources[0]!.share).toBe(130 / stats.total);
  });

  it('is not available when Leads has no source column', async () => {
    expect(await getLeadSources(database.pool, await source('nosource'), MAY)).toEqual({
      available: false, reason: '"Leads" has no source column (source, utmSource, utm_source, channel)',
    });
  });

  it('is not available without a Leads table', async () => {
    expect(await getLeadSources(database.pool, await source('noleads'), MAY)).toEqual({
      available: false, reason: 'The client database has no "Leads" table',
    });
  });
});
