import { connectClient } from '../../src/db/pool.ts';
import { createClientTablesSql } from '../../src/tenants/clientTables.ts';
import { quoteIdent, tableRef } from '../../src/db/identifiers.ts';
import { testClient } from './buildTestApp.ts';
import type { ClientConfig } from '../../src/config/clients.ts';

/**
 * Many clients on one PostgreSQL server, as an agency has them: some in databases of their own, the rest as schemas
 * of one shared database. Client i has `sessionsOf(i)` sessions on 2024-04-07 (UTC), so every answer says whose
 * data it is.
 */
export const sessionsOf = (i: number) => 3 + (i % 17);
export const clientIdOf = (i: number) => `c${String(i).padStart(3, '0')}`;

async function fill(serverUrl: string, database: string, schema: string, sessions: number): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const db = await connectClient({ connectionString: url.toString() });
  try {
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    for (const statement of createClientTablesSql(schema)) await db.query(statement);
    await db.query(
      `INSERT INTO ${tableRef(schema, 'UserEvents')} ("sessionId", "pageLoaded", "widgetOpened", "createdAt", "updatedAt")
       SELECT 's' || g, t, CASE WHEN g % 2 = 0 THEN t + interval '5 seconds' END, t, t
         FROM generate_series(1, $1::int) AS g, LATERAL (SELECT timestamp '2024-04-07 10:00:00' + g * interval '1 minute' AS t) AS x`,
      [sessions],
    );
  } finally {
    await db.end();
  }
}

/** Creates `databases` databases (one client each) and `schemas` schemas in one more; returns the clients. */
export async function createManyClients(serverUrl: string, databases: number, schemas: number): Promise<ClientConfig[]> {
  const admin = await connectClient({ connectionString: serverUrl });
  const clients: ClientConfig[] = [];
  try {
    for (let i = 0; i < databases; i++) await admin.query(`CREATE DATABASE ${quoteIdent(`db_${clientIdOf(i)}`)}`);
    await admin.query('CREATE DATABASE shared');
  } finally {
    await admin.end();
  }
  const urlOf = (database: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  for (let i = 0; i < databases; i++) {
    await fill(serverUrl, `db_${clientIdOf(i)}`, 'public', sessionsOf(i));
    clients.push(testClient(clientIdOf(i), 'UTC', urlOf(`db_${clientIdOf(i)}`)));
  }
  for (let i = databases; i < databases + schemas; i++) {
    await fill(serverUrl, 'shared', clientIdOf(i), sessionsOf(i));
    clients.push(testClient(clientIdOf(i), 'UTC', urlOf('shared'), clientIdOf(i)));
  }
  return clients;
}

/** How many connections the platform holds to the server now, counted by the server itself on a fresh connection. */
export async function platformConnections(serverUrl: string): Promise<number> {
  const probe = await connectClient({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  try {
    const { rows } = await probe.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'chatbot-analytics'`,
    );
    return rows[0]!.n;
  } finally {
    await probe.end();
  }
}

/** Samples `platformConnections` every `everyMs` until stopped; every sample is a new connection that must succeed. */
export function sampleConnections(serverUrl: string, everyMs = 25) {
  const samples: number[] = [];
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        samples.push(await platformConnections(serverUrl));
      } catch (error) {
        failures.push((error as { code?: string }).code ?? (error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    samples,
    failures,
    async stop() {
      running = false;
      await loop;
      return { max: Math.max(0, ...samples), count: samples.length, failures };
    },
  };
}

/** Runs `sql` in `database` on the server of `serverUrl`, on a connection of its own. */
export async function onDatabase(serverUrl: string, database: string, sql: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const db = await connectClient({ connectionString: url.toString() });
  try {
    await db.query(sql);
  } finally {
    await db.end();
  }
}

/** Every read of `UserEvents` in `database` now takes `seconds` longer (a view over the data); returns the undo. */
export async function slowDown(serverUrl: string, database: string, seconds: number): Promise<() => Promise<void>> {
  await onDatabase(serverUrl, database, `ALTER TABLE "UserEvents" RENAME TO "UserEventsData";
    CREATE VIEW "UserEvents" AS SELECT d.* FROM "UserEventsData" d, (SELECT pg_sleep(${Number(seconds)})) AS slow`);
  return () => onDatabase(serverUrl, database, `DROP VIEW "UserEvents"; ALTER TABLE "UserEventsData" RENAME TO "UserEvents"`);
}
