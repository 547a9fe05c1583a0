import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDateHours } from '../../src/analytics/getDateHours.ts';
import { metricQuery } from '../../src/analytics/query.ts';
import { resolveRange } from '../../src/analytics/range.ts';
import { tolerant } from '../../src/answers/rollupsOrRaw.ts';
import { createPool } from '../../src/db/pool.ts';
import { tableRef } from '../../src/db/identifiers.ts';
import { migratePlatform } from '../../src/platform/migrations.ts';
import { refreshRollups } from '../../src/rollups/refreshRollups.ts';
import { RollupReader, type RollupRequest } from '../../src/rollups/rollupReader.ts';
import { ClientDatabases } from '../../src/tenants/clientDatabases.ts';
import type { ClientSource } from '../../src/tenants/clientSource.ts';
import { ClientRegistry } from '../../src/tenants/clientRegistry.ts';
import { testClient, testConfig } from '../helpers/buildTestApp.ts';
import { capturedLogger } from '../helpers/logCapture.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { createUserEvents, queryOf, rawAnswers, upsertSessions, sourceOf } from './support.ts';

let client: TestDatabase;
let platform: TestDatabase;
let databases: ClientDatabases;
const dbOf = (clientId: string) => databases.forClient(clientId);
const sources = new Map<string, ClientSource>();

/** Sessions every `minutes` minutes from `start`, steps present or not by the session's number. */
async function fill(schema: string, start: string, minutes: number, count: number) {
  await createUserEvents(client.pool, schema, 'timestamp');
  await client.pool.query(`INSERT INTO ${tableRef(schema, 'UserEvents')}
    SELECT 's' || g, CASE WHEN g % 5 <> 0 THEN t END, CASE WHEN g % 3 <> 0 THEN t + interval '20 seconds' END,
           CASE WHEN g % 4 = 0 THEN t + interval '1 minute' END, CASE WHEN g % 8 = 0 THEN t + interval '2 minutes' END,
           CASE WHEN g % 12 = 0 THEN t + interval '2 minutes' END, NULL, t, timestamp '2024-05-01' + g * interval '1 millisecond'
      FROM generate_series(1, $3::int) AS g, LATERAL (SELECT $1::timestamp + g * $2::int * interval '1 minute' AS t) AS x`, [start, minutes, count]);
}

beforeAll(async () => {
  [client, platform] = await Promise.all([createTestDatabase('rollup_batch'), createTestDatabase('rollup_batch_platform')]);
  await migratePlatform(platform.pool);
  const registry = new ClientRegistry();
  // Each client a schema of one database; the down one's server is not there (nothing listens on port 1).
  registry.replace('file', [...['london', 'sydney', 'unrolled', 'amsterdam'].map((id) => testClient(id, 'UTC', client.url, id)),
    testClient('down', 'UTC', 'postgres://postgres@127.0.0.1:1/nowhere', 'london')]);
  databases = new ClientDatabases(registry, testConfig([]).db, capturedLogger());
  await fill('london', '2024-03-01', 7, 12000);
  await fill('sydney', '2024-02-20', 11, 8000);
  await fill('unrolled', '2024-03-01', 13, 3000); // never rolled up: answered from its raw rows
  await createUserEvents(client.pool, 'amsterdam', 'timestamptz'); // old local mean time: buckets straddle hours
  await upsertSessions(client.pool, 'amsterdam', ['1930-06-01T10:05:00Z', '1930-06-01T10:40:00Z', '1930-06-02T23:50:00Z'].map((at, i) => (
    { id: `a${i}`, pageLoaded: at, createdAt: at, updatedAt: '2024-01-01T00:00:00Z' })));
  for (const schema of ['london', 'sydney', 'unrolled', 'amsterdam']) sources.set(schema, await sourceOf(client.pool, schema));
  for (const schema of ['london', 'sydney', 'amsterdam']) await refreshRollups(client.pool, platform.pool, schema, sources.get(schema)!);
  // A client whose rollups exist but whose database is down now.
  await refreshRollups(client.pool, platform.pool, 'down', sources.get('london')!);
  sources.set('down', sources.get('london')!);
});

afterAll(async () => {
  await databases?.close();
  await client?.drop();
  await platform?.drop();
});

const ask = (reader: RollupReader, { kind, clientId, q }: RollupRequest) => reader[kind](clientId, sources.get(clientId)!, q);

describe('RollupReader.prefetch', () => {
  const requests: RollupRequest[] = [
    ...(['counts', 'daily', 'hourly', 'heatmap', 'dateHours'] as const).flatMap((kind) => [
      { kind, clientId: 'london', q: queryOf({ from: '2024-03-01', to: '2024-04-30' }, 'Europe/London') },
      { kind, clientId: 'london', q: queryOf({ from: '2024-03-03T10:07:13.5+05:45', to: '2024-04-07T02:52:00-02:30' }, 'America/St_Johns') },
      { kind, clientId: 'sydney', q: queryOf({ from: '2024-03-25', to: '2024-04-10' }, 'Australia/Sydney') },
      { kind, clientId: 'sydney', q: queryOf({ from: '2024-12-20', to: '2024-12-31' }, 'Australia/Sydney') }, // no buckets in range
      { kind, clientId: 'unrolled', q: queryOf({ from: '2024-03-01', to: '2024-03-20' }, 'Europe/London') },
      { kind, clientId: 'amsterdam', q: queryOf({ from: '1930-05-31', to: '1930-06-03' }, 'Europe/Amsterdam') },
    ]),
    { kind: 'daily', clientId: 'london', q: queryOf({ from: '2024-03-01', to: '2024-03-31' }, 'UTC', { mode: 'ordered', windowSeconds: null }) },
  ];

  it('answers many clients from one read exactly as each client\'s own reads, declining where they decline', async () => {
    const reader = new RollupReader(platform.pool, dbOf);
    const batched = await reader.prefetch([...requests, { kind: 'daily', clientId: 'down', q: requests[0]!.q }]);
    const many = await Promise.all(requests.map((r) => ask(batched, r)));
    const one = await Promise.all(requests.map((r) => ask(reader, r)));
    expect(many).toStrictEqual(one);
    // And those are the raw SQL's answers wherever rollups answer; where they decline, null (the caller goes raw).
    for (const [i, r] of requests.entries()) {
      const raw = await rawAnswers(client.pool, sources.get(r.clientId)!, r.q);
      const expected = r.kind === 'dateHours' ? await getDateHours(client.pool, sources.get(r.clientId)!, r.q) : raw[r.kind];
      const declines = r.clientId === 'unrolled' || (r.clientId === 'amsterdam' && r.kind !== 'counts') || r.q.funnel.mode === 'ordered';
      expect(many[i], `${r.kind} ${r.clientId}`).toStrictEqual(declines ? null : expected);
    }
  });

  it('leaves a down client failing on its own fresh rows while every other client answers', async () => {
    const recent = metricQuery(resolveRange({}, 'Europe/London', new Date())); // the last 30 days: the fresh tail is raw
    const batched = await new RollupReader(platform.pool, dbOf).prefetch([
      { kind: 'daily', clientId: 'down', q: recent },
      { kind: 'daily', clientId: 'london', q: recent },
    ]);
    await expect(batched.daily('down', sources.get('down')!, recent)).rejects.toMatchObject({ failure: 'DATABASE_UNAVAILABLE' });
    expect(await batched.daily('london', sources.get('london')!, recent))
      .toStrictEqual(await new RollupReader(platform.pool, dbOf).daily('london', sources.get('london')!, recent));
  });

  it('fails as a whole when the platform database is away, and the answers then come from the raw SQL', async () => {
    const gone = createPool({ connectionString: 'postgres://postgres@127.0.0.1:1/platform', max: 1 });
    const lines: string[] = [];
    try {
      const reader = new RollupReader(gone, dbOf);
      const q = queryOf({ from: '2024-03-01', to: '2024-03-31' }, 'Europe/London');
      await expect(reader.prefetch([{ kind: 'daily', clientId: 'london', q }])).rejects.toThrow();
      expect(await tolerant(reader, capturedLogger(lines)).daily('london', sources.get('london')!, q)).toBeNull();
      expect(lines.join('\n')).toContain('rollups unavailable; answering from raw SQL');
    } finally {
      await gone.end();
    }
  });
});
