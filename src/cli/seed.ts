import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import pg from 'pg';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { CLIENT_TABLES } from '../tenants/clientTables.ts';
import { tableRef } from '../db/identifiers.ts';
import { seedClient } from '../demo/seedClient.ts';
import { createPool } from '../db/pool.ts';

const USAGE = 'usage: npm run seed -- --client <id> [--days N] [--sessions-per-day N] [--force | --if-empty]';

function positiveInt(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--${name} must be a whole number from 1 to 100000`);
  return n;
}

class UsageError extends Error {}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        client: { type: 'string' },
        days: { type: 'string' },
        'sessions-per-day': { type: 'string' },
        force: { type: 'boolean', default: false },
        'if-empty': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The chatbot tables of `schema` that exist and hold at least one row, described for the log. */
async function tablesWithRows(pool: pg.Pool, schema: string): Promise<string[]> {
  const occupied: string[] = [];
  for (const table of CLIENT_TABLES) {
    const ref = tableRef(schema, table);
    const { rows } = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [ref]);
    if (!rows[0]?.exists) continue;
    const { rows: counted } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ref}`);
    const n = counted[0]?.n ?? 0;
    if (n > 0) occupied.push(`${ref} holds ${n} rows`);
  }
  return occupied;
}

/**
 * Fills one client's real database with generated demo data (refuses to touch tables that hold rows unless --force).
 * --if-empty makes it re-runnable (the Compose seed service runs it on every `docker compose up`): tables that
 * already hold rows are left alone and it exits 0.
 */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const { values } = parseCommandLine();
  if (!values.client) throw new UsageError('--client is required');
  if (values.force && values['if-empty']) throw new UsageError('--force and --if-empty exclude each other');
  const days = positiveInt('days', values.days, 60)!;
  const sessionsPerDay = positiveInt('sessions-per-day', values['sessions-per-day']);

  const config = loadConfig();
  const client = config.clients.find((c) => c.id === values.client);
  if (!client) throw new UsageError(`unknown client "${values.client}" (known: ${config.clients.map((c) => c.id).join(', ')})`);
  if (!client.database) throw new UsageError(`client "${client.id}" has no database URL; set the variable its dbUrl names`);

  const pool = createPool({ connectionString: client.database.url, max: 2, connectionTimeoutMillis: config.db.connectTimeoutMs });
  try {
    if (values['if-empty']) {
      const occupied = await tablesWithRows(pool, client.database.schema);
      if (occupied.length > 0) {
        console.log(`--if-empty: not seeding client "${client.id}": ${occupied.join('; ')}`);
        return;
      }
    }
    await seedClient(pool, client.database.schema, client, {
      days,
      sessionsPerDay,
      force: values.force,
      log: (message) => console.log(message),
    });
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
  else if (error instanceof ConfigError) console.error(error.message);
  else console.error(`seed failed: ${(error as Error).message}`); // pg messages name tables, never the URL
  process.exit(1);
});
