import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { generateDemoData } from '../../src/demo/generateDemoData.ts';
import { insertDemoData } from '../../src/demo/insertDemoData.ts';
import { createPool } from '../../src/db/pool.ts';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('insert_demo');
  // A server whose sessions are not in UTC: inserted instants must not shift.
  await database.pool.query(`ALTER DATABASE "${database.name}" SET timezone TO 'America/New_York'`);
  pool = createPool({ connectionString: database.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('insertDemoData', () => {
  it.each(['TIMESTAMP(3)', 'TIMESTAMPTZ(3)'])('stores the generated instants exactly in %s columns', async (type) => {
    const schema = type === 'TIMESTAMP(3)' ? 'plain' : 'zoned';
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}."UserEvents" ("sessionId" TEXT PRIMARY KEY, "pageLoaded" ${type}, "widgetOpened" ${type},
      "requestedHuman" ${type}, "pressedAccept" ${type}, "pressedCallback" ${type}, "pressedContinue" ${type},
      "createdAt" ${type} NOT NULL, "updatedAt" ${type} NOT NULL)`);
    const data = generateDemoData({ id: 'x', timezone: 'Asia/Kolkata' }, { days: 2, sessionsPerDay: 20, now: new Date('2024-04-08T00:00:00Z') });
    await insertDemoData(pool, schema, { ...data, leads: [], chatLog: [], agentConnections: [] });
    // Read back as instants, interpreting `timestamp` as UTC the way the analytics do.
    const instant = type === 'TIMESTAMP(3)' ? `("createdAt" AT TIME ZONE 'UTC')` : '"createdAt"';
    const { rows } = await pool.query<{ id: string; ms: string }>(
      `SELECT "sessionId" AS id, (extract(epoch FROM ${instant}) * 1000)::bigint::text AS ms FROM ${schema}."UserEvents"`,
    );
    const stored = new Map(rows.map((r) => [r.id, Number(r.ms)]));
    expect(stored.size).toBe(data.userEvents.length);
    for (const row of data.userEvents) expect(stored.get(row.sessionId)).toBe(row.createdAt.getTime());
  });
});
