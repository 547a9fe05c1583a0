import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { startRuntime, type Runtime } from '../../src/main/runtime.ts';
import { bearer, KEYS, testConfig } from '../helpers/buildTestApp.ts';
import { capturedLogger } from '../helpers/logCapture.ts';
import { startTempPostgres, type TempPostgres } from '../helpers/tempPostgres.ts';
import { createManyClients, sessionsOf } from '../helpers/manyClients.ts';
import { connectClient } from '../../src/db/pool.ts';
import { readClientsFile } from '../../src/config/clients.ts';
import { Problems } from '../../src/config/env.ts';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

/**
 * The registry file changes while clients are under load: a client is added, one moves to another database, one is
 * removed. No restart, no error for the others, and the removed client's connections leave the server.
 */
let server: TempPostgres;
let dir: string;
let file: string;
let runtime: Runtime;
let app: Awaited<ReturnType<typeof buildApp>>;
let urls: string[];
let platformDb: TestDatabase;

type Entry = { id: string; name: string; dbUrl: string; timezone: string };
const entry = (id: string, url: string): Entry => ({ id, name: `Client ${id}`, dbUrl: url, timezone: 'UTC' });
const writeRegistry = (entries: Entry[]) => writeFileSync(file, JSON.stringify(Object.fromEntries(entries.map((e) => [e.id, e])), null, 2));

beforeAll(async () => {
  server = await startTempPostgres();
  // Five databases of their own: c000..c004, with 3, 4, 5, 6 and 7 sessions.
  urls = (await createManyClients(server.url, 5, 0)).map((c) => c.database!.url);
  dir = mkdtempSync(join(tmpdir(), 'registry-'));
  file = join(dir, 'clients.json');
  writeRegistry([entry('alpha', urls[0]!), entry('beta', urls[1]!), entry('gone', urls[2]!)]);
  const config = { ...testConfig(readClientsFile(file, {}, new Problems()), { admin: KEYS.admin }), clientsFile: file };
  platformDb = await createTestDatabase('registry_platform');
  runtime = await startRuntime(config, capturedLogger(), { watchRegistryFile: true, platform: await asPlatformDatabase(platformDb) });
  app = await buildApp(runtime.context(() => new Date('2024-04-08T02:00:00Z')));
}, 120_000);
afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await platformDb?.drop();
  server?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const sessions = async (clientId: string) => {
  const res = await app.inject({ method: 'GET', url: `/api/${clientId}/funnel?from=2024-04-07&to=2024-04-07`, headers: bearer(KEYS.admin) });
  return res.statusCode === 200 ? (res.json().sessions as number) : res.statusCode;
};

async function connectionsTo(database: string): Promise<number> {
  const probe = await connectClient({ connectionString: server.url });
  try {
    const { rows } = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [database]);
    return rows[0]!.n;
  } finally {
    await probe.end();
  }
}

/** Polls until `check` holds, for at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a registry file that changes under load', () => {
  it('adds, moves and removes clients without a restart while the others keep answering', async () => {
    expect([await sessions('alpha'), await sessions('beta'), await sessions('gone')]).toEqual([sessionsOf(0), sessionsOf(1), sessionsOf(2)]);
    expect(await connectionsTo('db_c002')).toBeGreaterThan(0);

    let loading = true;
    const alphaAnswers: (number)[] = [];
    const load = (async () => {
      while (loading) alphaAnswers.push(await sessions('alpha'));
    })();

    // Added: delta (db_c003); moved: beta from db_c001 to db_c004; removed: gone.
    writeRegistry([entry('alpha', urls[0]!), entry('beta', urls[4]!), entry('delta', urls[3]!)]);
    await eventually(async () => (await sessions('delta')) === sessionsOf(3));
    await eventually(async () => (await sessions('beta')) === sessionsOf(4));
    await eventually(async () => (await sessions('gone')) === 404);
    // The removed client's pool is closed: its connections are gone from the server; the moved one's old pool too.
    await eventually(async () => (await connectionsTo('db_c002')) === 0);
    await eventually(async () => (await connectionsTo('db_c001')) === 0);

    loading = false;
    await load;
    expect(alphaAnswers.length).toBeGreaterThan(10);
    expect(new Set(alphaAnswers)).toEqual(new Set([sessionsOf(0)])); // never an error, never another client's data
  });

  it('keeps the last good registry when an edit is invalid, and applies the next good one', async () => {
    writeFileSync(file, '{ "alpha": { "id": "alpha", "name": ');
    writeRegistry([entry('alpha', urls[0]!), { ...entry('bad', urls[1]!), timezone: 'Mars/Olympus' }]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(runtime.registry.list().map((c) => c.id).sort()).toEqual(['alpha', 'beta', 'delta']);
    expect(await sessions('beta')).toBe(sessionsOf(4));
    expect(await sessions('bad')).toBe(404);

    writeRegistry([entry('alpha', urls[0]!)]);
    await eventually(async () => runtime.registry.list().length === 1);
    expect(await sessions('delta')).toBe(404);
  });

  it('re-reads the file when asked (what SIGHUP does), and says what changed', () => {
    writeRegistry([entry('alpha', urls[0]!), entry('echo', urls[1]!)]);
    const change = runtime.registryFile!.reload('SIGHUP');
    expect(change?.added.map((c) => c.id)).toEqual(['echo']);
    expect(runtime.registryFile!.reload('SIGHUP')).toEqual({ added: [], changed: [], removed: [] });
  });
});
