import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { createClientTablesSql } from '../../src/tenants/clientTables.ts';

/**
 * A session with far more chat messages than one answer may hold: the JSON pages the transcript, the CSV streams the
 * whole of it through a cursor, and neither holds the lot in memory.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
const MESSAGES = 20_000;
let db: TestDatabase;
let app: App;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase('session_bounds');
  for (const statement of createClientTablesSql('public')) await db.pool.query(statement);
  await db.pool.query(`INSERT INTO "UserEvents" ("sessionId", "pageLoaded", "createdAt", "updatedAt")
    VALUES ('big', '2024-05-01 10:00:00', '2024-05-01 10:00:00', '2024-05-01 10:00:00'),
           ('small', '2024-05-01 11:00:00', '2024-05-01 11:00:00', '2024-05-01 11:00:00')`);
  // Message i at 10:00 + i ms, text "m<i>": the order and the content say which message is where.
  await db.pool.query(`INSERT INTO "ChatLog" ("id", "sessionId", "createdAt", "role", "message")
    SELECT 'big-' || lpad(g::text, 6, '0'), 'big', timestamp '2024-05-01 10:00:00' + g * interval '1 millisecond',
           CASE WHEN g % 2 = 0 THEN 'user' ELSE 'bot' END, 'm' || g
      FROM generate_series(1, ${MESSAGES}) AS g`);
  await db.pool.query(`INSERT INTO "ChatLog" VALUES ('s1', 'small', '2024-05-01 11:00:01', 'user', '=HYPERLINK("x")')`);
  app = await buildTestApp([testClient('alpha', 'UTC', db.url)], { admin: KEYS.admin });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const detail = async (query = '') => {
  const res = await app.inject({ method: 'GET', url: `/api/alpha/sessions/big${query}`, headers: bearer(KEYS.admin) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('a session with 20,000 chat messages', () => {
  it('answers the first 1,000 messages, says it is truncated and where the next page starts', async () => {
    const { transcript } = await detail();
    expect(transcript.rows).toHaveLength(1000);
    expect(transcript.rows[0].text).toBe('m1');
    expect(transcript.rows[999].text).toBe('m1000');
    expect([transcript.truncated, transcript.nextOffset]).toEqual([true, 1000]);
  });

  it('pages on to the last message, and the last page says so', async () => {
    const middle = (await detail('?messagesOffset=1000&messagesLimit=500')).transcript;
    expect(middle.rows.map((m: { text: string }) => m.text)).toEqual(Array.from({ length: 500 }, (_, i) => `m${1001 + i}`));
    expect(middle.nextOffset).toBe(1500);
    const last = (await detail(`?messagesOffset=${MESSAGES - 300}`)).transcript;
    expect(last.rows).toHaveLength(300);
    expect(last.rows[299].text).toBe(`m${MESSAGES}`);
    expect([last.truncated, last.nextOffset]).toEqual([false, null]);
  });

  it('refuses a page larger than 1,000 messages with a 400 naming the parameter', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/alpha/sessions/big?messagesLimit=5000', headers: bearer(KEYS.admin) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^messagesLimit/);
  });

  it('streams the whole transcript as CSV in order, chunked, while other requests keep being answered', async () => {
    const download = fetch(`${base}/api/alpha/sessions/big?format=csv`, { headers: bearer(KEYS.admin) });
    const health = fetch(`${base}/health`).then((r) => ({ status: r.status, at: performance.now() }));
    const res = await download;
    expect(res.headers.get('content-length')).toBeNull(); // streamed, not built and measured first
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await res.text()).trimEnd().split('\n');
    const finished = performance.now();
    expect(lines[0]).toBe('at,role,normalized_role,text');
    expect(lines).toHaveLength(MESSAGES + 1);
    expect(lines[1]).toBe('2024-05-01T10:00:00.001Z,bot,bot,m1');
    expect(lines[MESSAGES]!.endsWith(`,m${MESSAGES}`)).toBe(true);
    const answered = await health;
    expect(answered.status).toBe(200);
    expect(answered.at).toBeLessThan(finished);
  });

  it('keeps a message that looks like a formula from running in a spreadsheet', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/alpha/sessions/small?format=csv', headers: bearer(KEYS.admin) });
    expect(res.body.split('\n')[1]).toBe(`2024-05-01T11:00:01.000Z,user,user,"'=HYPERLINK(""x"")"`);
  });

  it('gives its connection back when the reader goes away mid-download', async () => {
    // A plain request on a socket of its own, destroyed after the first chunk: a browser tab closed mid-download.
    await new Promise<void>((resolve, reject) => {
      const req = get(`${base}/api/alpha/sessions/big?format=csv`, { headers: bearer(KEYS.admin) }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error: Error & { code?: string }) => (error.code === 'ECONNRESET' ? resolve() : reject(error)));
    });
    const stats = () => runtimeOf(app).databases.stats()[0]!;
    const deadline = Date.now() + 5000;
    while (stats().inUse > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stats().inUse).toBe(0);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'`, [db.name]);
    expect(rows[0].n).toBe(0);
    expect((await detail()).transcript.rows).toHaveLength(1000); // and the client still answers
  });
});
