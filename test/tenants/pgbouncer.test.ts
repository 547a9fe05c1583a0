import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { startTempPostgres, type TempPostgres } from '../helpers/tempPostgres.ts';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.ts';
import { clientIdOf, createManyClients, sessionsOf } from '../helpers/manyClients.ts';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadSydneyFixture, SESSIONS } from '../fixtures/sydneyFixture.ts';
import { connectClient } from '../../src/db/pool.ts';
import { metricQuery } from '../../src/analytics/query.ts';
import { resolveRange } from '../../src/analytics/range.ts';
import type { ClientConfig } from '../../src/config/clients.ts';

/**
 * The platform behind PgBouncer in transaction pooling mode: one server connection serves many clients' transactions
 * one after another, so nothing may depend on session state. Ten clients (a Sydney one with hand-checked data, three
 * in databases of their own, six as schemas of one shared database) are read once straight from PostgreSQL and once
 * through PgBouncer with 4 server connections per database; the answers must not differ.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
const POOL_SIZE = 4;
const RANGE = 'from=2024-04-06&to=2024-04-08';
/**
 * Timeouts far above what an idle machine needs: this file checks what PgBouncer changes, not speed, and a loaded
 * machine (three suites at once) must not turn a slow connect or a queued request into a failure.
 */
const PATIENT = { connectTimeoutMs: 15_000, acquireTimeoutMs: 60_000, statementTimeoutMs: 60_000 };
const CASE_TIMEOUT_MS = 180_000;
const ENDPOINTS = ['funnel', 'daily', 'hourly', 'heatmap', 'metrics', 'sessions', 'leads', 'test', 'time-to-convert', 'handoffs'];

let server: TempPostgres;
let bouncer: PgBouncer;
let platformDb: TestDatabase;
let clients: ClientConfig[];
let pooledClients: ClientConfig[];
let direct: App;
let pooled: App;

/** The same database on another server (host and port): PgBouncer's, or PostgreSQL's. */
function onPort(url: string, port: number, database?: string): string {
  const moved = new URL(url);
  moved.port = String(port);
  if (database) moved.pathname = `/${database}`;
  return moved.toString();
}

async function withConnection<T>(url: string, work: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = await connectClient({ connectionString: url, connectionTimeoutMillis: PATIENT.connectTimeoutMs });
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  server = await startTempPostgres();
  const many = await createManyClients(server.url, 3, 6);
  await withConnection(server.url, (db) => db.query('CREATE DATABASE sydney'));
  await withConnection(onPort(server.url, server.port, 'sydney'), (db) => loadSydneyFixture(db, 'public', 'timestamp'));
  clients = [testClient('sydney', 'Australia/Sydney', onPort(server.url, server.port, 'sydney')), ...many];
  bouncer = await startPgBouncer(server, { poolSize: POOL_SIZE });
  pooledClients = clients.map((c) => ({ ...c, database: { ...c.database!, url: onPort(c.database!.url, bouncer.port) } }));
  direct = await buildTestApp(clients, { admin: KEYS.admin, db: PATIENT });
  pooled = await buildTestApp(pooledClients, { admin: KEYS.admin, db: PATIENT });
  platformDb = await createTestDatabase('pgbouncer_platform');
}, 120_000);

afterAll(async () => {
  await direct?.close();
  await pooled?.close();
  await platformDb?.drop();
  await bouncer?.stop();
  server?.destroy();
});

const get = (app: App, url: string) => app.inject({ method: 'GET', url, headers: bearer(KEYS.admin) });

/** The body without what differs by construction between two runs (when it was computed, how long it took). */
function comparable(body: Record<string, unknown>) {
  const { generatedAt: _at, latencyMs: _ms, ...rest } = body;
  return rest;
}

const urlsOf = (ids: string[]) => ids.flatMap((id) => ENDPOINTS.map((e) => `/api/${id}/${e}${e === 'test' ? '' : `?${RANGE}`}`));

/** PgBouncer's own view of one database's pool: client connections, and server connections of every state. */
async function poolOf(database: string) {
  const rows = await withConnection(bouncer.adminUrl, async (db) => (await db.query('SHOW POOLS')).rows);
  const row = rows.find((r) => r.database === database)!;
  const servers = ['sv_active', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login'].reduce((n, k) => n + Number(row[k]), 0);
  return { clients: Number(row.cl_active) + Number(row.cl_waiting), servers };
}

describe('the platform behind PgBouncer in transaction pooling mode', { timeout: CASE_TIMEOUT_MS }, () => {
  it('answers every core endpoint of ten clients, all at once, exactly as straight from PostgreSQL', async () => {
    const urls = urlsOf(clients.map((c) => c.id));
    const expected = await Promise.all(urls.map((url) => get(direct, url)));
    const answers = await Promise.all(urls.map((url) => get(pooled, url)));
    expect(answers.map((a, i) => [urls[i], a.statusCode])).toEqual(urls.map((url) => [url, 200]));
    expect(answers.map((a) => comparable(a.json()))).toEqual(expected.map((e) => comparable(e.json())));
    expect((await get(pooled, `/api/sydney/funnel?${RANGE}`)).json().sessions).toBe(9);
    expect((await get(pooled, `/api/${clientIdOf(5)}/funnel?${RANGE}`)).json().sessions).toBe(sessionsOf(5));
    // Really shared: the six clients of the shared database held more connections to PgBouncer than it has to PostgreSQL.
    const shared = await poolOf('shared');
    expect(shared.servers).toBeLessThanOrEqual(POOL_SIZE);
    expect(shared.clients).toBeGreaterThan(shared.servers);
  });

  it('holds the statement timeout through PgBouncer: a crawling query is cancelled by the server, answered 504 QUERY_TIMEOUT', async () => {
    const crawler = clientIdOf(0);
    const crawlerDb = onPort(server.url, server.port, `db_${crawler}`);
    // The platform's own client-side bound is this + 1 s; the server's cancel comes first, load or not.
    const statementTimeoutMs = 1500;
    const app = await buildTestApp(pooledClients, { admin: KEYS.admin, db: { ...PATIENT, statementTimeoutMs } });
    const sleepers = async (db: pg.Client) =>
      (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep'`)).rows[0].n as number;
    try {
      // A minute per row: a statement the server did not cancel would still be sleeping when it is looked for.
      await withConnection(crawlerDb, (db) => db.query(`ALTER TABLE "UserEvents" RENAME TO "UserEventsData";
        CREATE FUNCTION crawl() RETURNS boolean LANGUAGE sql AS 'SELECT pg_sleep(60) IS NOT NULL';
        CREATE VIEW "UserEvents" AS SELECT * FROM "UserEventsData" WHERE crawl()`));
      try {
        const [slow, healthy] = await Promise.all([
          Promise.all([1, 2, 3].map(() => get(app, `/api/${crawler}/funnel?${RANGE}`))),
          get(app, `/api/${clientIdOf(1)}/funnel?${RANGE}`),
        ]);
        expect(slow.map((a) => [a.statusCode, a.json().error.code])).toEqual([1, 2, 3].map(() => [504, 'QUERY_TIMEOUT']));
        expect(healthy.json().sessions).toBe(sessionsOf(1));
        // Nothing is left sleeping on the server: PostgreSQL itself cancelled the statements (a client giving up
        // would leave them running), so SET LOCAL reached the server connection PgBouncer lent.
        expect(await withConnection(server.url, sleepers)).toBe(0);
      } finally {
        await withConnection(crawlerDb, (db) => db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'`));
        await withConnection(crawlerDb, (db) => db.query(`DROP VIEW "UserEvents"; DROP FUNCTION crawl(); ALTER TABLE "UserEventsData" RENAME TO "UserEvents"`));
      }
      // The connections that timed out went back to PgBouncer in a clean state and serve again.
      expect((await get(app, `/api/${crawler}/funnel?${RANGE}`)).json().sessions).toBe(sessionsOf(0));
    } finally {
      await app.close();
    }
  });

  it('refreshes rollups through PgBouncer (a full build over a cursor) and answers the same numbers from them', async () => {
    const rolled = await buildTestApp(pooledClients, { admin: KEYS.admin, db: PATIENT, platform: await asPlatformDatabase(platformDb) });
    try {
      const reports = await runtimeOf(rolled).rollups!.refresher.refreshAll();
      expect(reports.map((r) => [r.clientId, r.mode, r.rowsRead])).toEqual(
        clients.map((c, i) => [c.id, 'full', i === 0 ? SESSIONS.length : sessionsOf(i - 1)]),
      );
      // The reader answers from the rollups (no fallback to raw SQL), so the funnels below really come from them.
      const { databases, rollups } = runtimeOf(rolled);
      const q = metricQuery(resolveRange({ from: '2024-04-06', to: '2024-04-08' }, 'Australia/Sydney'));
      expect(await rollups!.reader.counts('sydney', await databases.source('sydney'), q)).not.toBeNull();
      const urls = clients.map((c) => `/api/${c.id}/funnel?${RANGE}`);
      const fromRollups = await Promise.all(urls.map((url) => get(rolled, url)));
      const expected = await Promise.all(urls.map((url) => get(direct, url)));
      expect(fromRollups.map((a) => a.statusCode)).toEqual(urls.map(() => 200));
      expect(fromRollups.map((a) => comparable(a.json()))).toEqual(expected.map((e) => comparable(e.json())));
    } finally {
      await rolled.close();
    }
  });

  it('leaks no session state: after a burst, every server connection PgBouncer lends has the server defaults', async () => {
    const answers = await Promise.all([...urlsOf(clients.map((c) => c.id)), ...urlsOf(clients.map((c) => c.id))].map((url) => get(pooled, url)));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    const settings = ['statement_timeout', 'transaction_read_only', 'transaction_isolation', 'jit'];
    const show = async (db: pg.Client) => {
      const values: Record<string, string> = {};
      for (const name of settings) values[name] = (await db.query(`SHOW ${name}`)).rows[0][name];
      return values;
    };
    const defaults = await withConnection(onPort(server.url, server.port, 'shared'), (db) => show(db));
    expect(defaults).toMatchObject({ statement_timeout: '0', transaction_read_only: 'off' });
    for (const database of ['shared', 'sydney', `db_${clientIdOf(0)}`]) {
      // As many open transactions as the pool has server connections: each probe holds a different one.
      const probes = await Promise.all(Array.from({ length: POOL_SIZE }, () =>
        connectClient({ connectionString: onPort(bouncer.url, bouncer.port, database), connectionTimeoutMillis: PATIENT.connectTimeoutMs })));
      try {
        await Promise.all(probes.map((db) => db.query('BEGIN')));
        const seen = await Promise.all(probes.map((db) => show(db)));
        const backends = await Promise.all(probes.map(async (db) => (await db.query('SELECT pg_backend_pid() AS pid')).rows[0].pid));
        expect(new Set(backends).size).toBe(POOL_SIZE);
        expect(seen).toEqual(probes.map(() => defaults));
      } finally {
        await Promise.all(probes.map((db) => db.query('ROLLBACK').finally(() => db.end())));
      }
    }
  });
});
