import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_TABLES, type ClientTable } from '../../src/tenants/clientTables.ts';
import { tableRef } from '../../src/db/identifiers.ts';
import { pgTypes } from '../../src/db/pgTypes.ts';
import {
  EMBEDDED_MAX_CONNECTIONS,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/db/embedded/startEmbeddedPostgres.ts';
import { generateDemoData } from '../../src/demo/generateDemoData.ts';
import { demoRowCounts } from '../../src/demo/insertDemoData.ts';
import { loadDemoClients } from '../../src/demo/loadDemo.ts';
import { seedClient } from '../../src/demo/seedClient.ts';
import { createPool } from '../../src/db/pool.ts';

const now = new Date('2026-11-18T03:30:00.000Z');
const clients = [
  { id: 'maple', timezone: 'Australia/Sydney', schema: 'maple' },
  { id: 'client2', timezone: 'Europe/London', schema: 'client2' },
];
const expected = new Map(clients.map((c) => [c.schema, generateDemoData(c, { days: 60, now })]));

let embedded: EmbeddedPostgres;
let pool: pg.Pool;

const count = async (schema: string, table: ClientTable) =>
  (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${tableRef(schema, table)}`)).rows[0]?.n;

describe('embedded PostgreSQL (PGlite in a worker) with demo data', () => {
  beforeAll(async () => {
    embedded = await startEmbeddedPostgres();
    pool = createPool({ connectionString: embedded.url, max: 4, types: pgTypes });
    await loadDemoClients(pool, clients, { days: 60, now });
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await embedded?.stop();
  }, 30_000);

  it('listens on a loopback URL and keeps its connection limit exported for pool sizing', () => {
    expect(embedded.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(embedded.maxConnections).toBe(EMBEDDED_MAX_CONNECTIONS);
  });

  it('holds exactly the generated rows in each client schema', async () => {
    for (const { schema } of clients) {
      const rows = demoRowCounts(expected.get(schema)!);
      for (const table of CLIENT_TABLES) expect(await count(schema, table)).toBe(rows[table]);
    }
  });

  it('stores timestamps as UTC wall-clock values, whatever the Node process zone', async () => {
    const first = expected.get('maple')!.userEvents[0]!;
    const { rows } = await pool.query<{ createdAt: string }>(
      `SELECT "createdAt" FROM ${tableRef('maple', 'UserEvents')} WHERE "sessionId" = $1`,
      [first.sessionId],
    );
    expect(rows[0]?.createdAt.replace(' ', 'T') + 'Z').toBe(first.createdAt.toISOString());
  });

  it("never shows one client's rows in the other client's schema", async () => {
    for (const { schema } of clients) {
      const other = clients.find((c) => c.schema !== schema)!.schema;
      const foreign = new Set(expected.get(other)!.userEvents.map((r) => r.sessionId));
      const { rows } = await pool.query<{ sessionId: string }>(
        `SELECT "sessionId" FROM ${tableRef(schema, 'UserEvents')}`,
      );
      expect(rows.length).toBe(expected.get(schema)!.userEvents.length);
      expect(rows.filter((r) => foreign.has(r.sessionId))).toEqual([]);
      const chat = await pool.query<{ n: number }>(
        `SELECT count(*) AS n FROM ${tableRef(schema, 'ChatLog')} c
         JOIN ${tableRef(other, 'UserEvents')} u ON u."sessionId" = c."sessionId"`,
      );
      expect(chat.rows[0]?.n).toBe(0);
    }
  });

  it('has no unqualified tables to fall back on, so every query must name its schema', async () => {
    await expect(pool.query('SELECT count(*) FROM "UserEvents"')).rejects.toThrow(/does not exist/);
  });

  it('serves concurrent queries from several pooled connections', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => count('client2', 'Leads')));
    expect(new Set(results)).toEqual(new Set([expected.get('client2')!.leads.length]));
  });

  it('seeds a client once, refuses to seed over existing rows, and replaces them with force', async () => {
    const client = { id: 'seeded', timezone: 'America/New_York' };
    const seed = (force: boolean, log: string[] = []) =>
      seedClient(pool, 'seeded', client, { days: 7, sessionsPerDay: 50, force, now, log: (m) => log.push(m) });
    const log: string[] = [];
    await seed(false, log);
    const sessions = await count('seeded', 'UserEvents');
    expect(sessions).toBe(generateDemoData(client, { days: 7, sessionsPerDay: 50, now }).userEvents.length);
    expect(log).toContain(`UserEvents ${sessions}/${sessions}`);

    await expect(seed(false)).rejects.toThrow(
      new RegExp(`"seeded"\\."UserEvents" already holds ${sessions} rows.*--force`),
    );
    await seed(true);
    expect(await count('seeded', 'UserEvents')).toBe(sessions);
  });
});
