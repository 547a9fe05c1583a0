import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { MasterKey } from '../../src/config/secrets.ts';
import { connectClient } from '../../src/db/pool.ts';
import { buildApp } from '../../src/http/app.ts';
import { startRuntime, type Runtime } from '../../src/main/runtime.ts';
import { SecretBox } from '../../src/platform/secrets.ts';
import { createToken } from '../../src/access/tokens.ts';
import { createStoredClient, rotateClientSecrets } from '../../src/tenants/clientStore.ts';
import { createClientTablesSql } from '../../src/tenants/clientTables.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient, testConfig } from '../helpers/buildTestApp.ts';
import { freePort } from '../helpers/freePort.ts';
import { capturedLogger } from '../helpers/logCapture.ts';
import { addPerson, asBrowser, signInPerson } from '../helpers/people.ts';
import { CLIENT_DB_PASSWORD, MASTER_KEYS } from '../helpers/secrets.ts';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

/**
 * Clients managed in the product through `/api/admin/clients`, on real PostgreSQL: a client created through the API
 * answers from its own database at once; its URL is stored encrypted and no answer ever holds it; changes, disabling
 * and removal apply at once here and within seconds on another replica; the registry file's clients are read-only;
 * keys rotate without a client noticing, and a value under a removed key fails alone, naming the key.
 */
const key = (kid: keyof typeof MASTER_KEYS): MasterKey => ({ kid, key: Buffer.from(MASTER_KEYS[kid], 'base64') });
const ADMIN = bearer(KEYS.admin);
const DAY = 'from=2024-04-07&to=2024-04-07';

let maple: TestDatabase; // 5 sessions, Prisma's timestamp(3)
let shop: TestDatabase; // 8 sessions, createdAt as timestamptz
let empty: TestDatabase; // no chatbot tables
let fileDb: TestDatabase;
let app: FastifyInstance;
/** Every answer any app of this file gave: none may hold a database URL or its password. */
const answers: { url: string; body: string; headers: string }[] = [];

/** The database's URL as an admin would paste it: with a password (trust auth ignores it) and Prisma's ?schema=. */
function urlOf(db: TestDatabase, schema?: string): string {
  const url = new URL(db.url);
  url.username = 'postgres';
  url.password = CLIENT_DB_PASSWORD;
  if (schema) url.searchParams.set('schema', schema);
  return url.toString();
}

async function fill(db: TestDatabase, sessions: number, timestamptz = false): Promise<void> {
  for (const statement of createClientTablesSql('public')) await db.pool.query(statement);
  if (timestamptz) await db.pool.query(`ALTER TABLE "UserEvents" ALTER COLUMN "createdAt" TYPE timestamptz USING "createdAt" AT TIME ZONE 'UTC'`);
  await db.pool.query(
    `INSERT INTO "UserEvents" ("sessionId", "pageLoaded", "widgetOpened", "createdAt", "updatedAt")
     SELECT 's' || g, t, t + interval '5 seconds', t, t
       FROM generate_series(1, $1::int) AS g, LATERAL (SELECT timestamp '2024-04-07 10:00:00' + g * interval '1 minute' AS t) AS x`,
    [sessions],
  );
}

async function call(target: FastifyInstance, options: InjectOptions): Promise<LightMyRequestResponse> {
  const res = await target.inject(options);
  answers.push({ url: String(options.url), body: res.body, headers: JSON.stringify(res.headers) });
  return res;
}

const admin = (method: InjectOptions['method'], url: string, payload?: object, target = app) =>
  call(target, { method, url, headers: ADMIN, ...(payload ? { payload } : {}) });

const sessionsOf = async (clientId: string, target = app) => {
  const res = await call(target, { method: 'GET', url: `/api/${clientId}/funnel?${DAY}`, headers: ADMIN });
  return res.statusCode === 200 ? (res.json().sessions as number) : res.statusCode;
};

/** Connections the platform's pools hold to `db`, counted by the server. */
async function connectionsTo(db: TestDatabase): Promise<number> {
  const probe = await connectClient({ connectionString: ADMIN_URL });
  try {
    const { rows } = await probe.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'chatbot-analytics'`, [db.name]);
    return rows[0]!.n;
  } finally {
    await probe.end();
  }
}

/** Another replica: its own runtime on the same platform database, with its own keys. */
async function replica(keys: MasterKey[]): Promise<{ app: FastifyInstance; runtime: Runtime; close(): Promise<void> }> {
  const runtime = await startRuntime(testConfig([testClient('alpha', 'UTC', fileDb.url)], { admin: KEYS.admin, encryptionKeys: keys }), capturedLogger(), {
    platform: runtimeOf(app).platform,
  });
  const other = await buildApp(runtime.context(() => new Date('2024-04-08T02:00:00Z')));
  return { app: other, runtime, close: async () => { await other.close(); await runtime.close(); } };
}

beforeAll(async () => {
  [maple, shop, empty, fileDb] = await Promise.all([createTestDatabase('ac_maple'), createTestDatabase('ac_shop'), createTestDatabase('ac_empty'), createTestDatabase('ac_file')]);
  await fill(maple, 5);
  await fill(shop, 8, true);
  await fill(fileDb, 2);
  // alpha comes from the registry file (CLIENTS_FILE); the rest is managed through the API.
  app = await buildTestApp([testClient('alpha', 'UTC', fileDb.url)], { admin: KEYS.admin, clients: { alpha: KEYS.alpha }, encryptionKeys: [key('k1')] });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([maple, shop, empty, fileDb].map((db) => db?.drop()));
});

describe('a client created through the API', () => {
  it('answers its funnel from its own database at once, with no restart', async () => {
    expect(await sessionsOf('maple')).toBe(404);
    const res = await admin('POST', '/api/admin/clients', {
      id: 'maple', name: 'Maple Dental', domain: 'mapledental.com.au', timezone: 'australia/sydney',
      branding: { primaryColor: '#0f766e' }, databaseUrl: urlOf(maple), grafanaOrgId: 7,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({
      id: 'maple', name: 'Maple Dental', domain: 'mapledental.com.au', timezone: 'Australia/Sydney',
      branding: { primaryColor: '#0f766e', logoUrl: null }, grafanaOrgId: 7, disabled: false, provenance: 'product',
      readOnly: false, hasDatabase: true, problem: null, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    // Sydney is UTC+10 in April: 2024-04-07 local holds the 10:00 UTC sessions.
    expect(await sessionsOf('maple')).toBe(5);
    const clients = await admin('GET', '/clients');
    expect(clients.json().map((c: { id: string }) => c.id).sort()).toEqual(['alpha', 'maple']);
  });

  it('stores the URL encrypted: the table never holds the URL, its host, database or password in clear', async () => {
    const { rows } = await runtimeOf(app).platform.pool.query<{ row: string; kid: string }>(
      `SELECT t::text AS row, database_url_secret->>'kid' AS kid FROM tenants.clients t WHERE id = 'maple'`,
    );
    expect(rows[0]!.kid).toBe('k1');
    for (const clear of [CLIENT_DB_PASSWORD, maple.name, '127.0.0.1', 'postgres://', 'postgresql://']) expect(rows[0]!.row).not.toContain(clear);
  });

  it('is listed with its provenance, next to the file\'s clients, which are read-only', async () => {
    const list = (await admin('GET', '/api/admin/clients')).json();
    expect(list.map((c: { id: string; provenance: string; readOnly: boolean; hasDatabase: boolean }) => [c.id, c.provenance, c.readOnly, c.hasDatabase]))
      .toEqual([['alpha', 'file', true, true], ['maple', 'product', false, true]]);
  });

  it('refuses a duplicate id, and any id the file provides (create, change, remove), saying the file provides it', async () => {
    const duplicate = await admin('POST', '/api/admin/clients', { id: 'maple', name: 'Again', timezone: 'UTC' });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json().error.message).toBe('id: a client "maple" exists already');
    for (const res of [
      await admin('POST', '/api/admin/clients', { id: 'alpha', name: 'Mine now', timezone: 'UTC' }),
      await admin('PATCH', '/api/admin/clients/alpha', { name: 'Mine now' }),
      await admin('DELETE', '/api/admin/clients/alpha'),
    ]) {
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toEqual({ code: 'PROVIDED_BY_FILE', message: expect.stringMatching(/provided by the registry file \(CLIENTS_FILE, clients\.json\)/) });
    }
    expect(runtimeOf(app).registry.get('alpha')!.name).toBe('Client alpha');
    expect(await sessionsOf('alpha')).toBe(2);
  });
});

describe('changes through the API', () => {
  it('apply at once: fields change, omitted ones stay, and a new URL moves the client to another database', async () => {
    const renamed = await admin('PATCH', '/api/admin/clients/maple', { name: 'Maple Dental Clinic', branding: { logoUrl: 'https://cdn.example.com/maple.svg' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Maple Dental Clinic', timezone: 'Australia/Sydney', grafanaOrgId: 7, branding: { primaryColor: '#0f766e', logoUrl: 'https://cdn.example.com/maple.svg' } });
    expect((await admin('GET', '/clients')).json().find((c: { id: string }) => c.id === 'maple').name).toBe('Maple Dental Clinic');

    expect((await admin('PATCH', '/api/admin/clients/maple', { databaseUrl: urlOf(shop), timezone: 'UTC' })).statusCode).toBe(200);
    expect(await sessionsOf('maple')).toBe(8);
    await expect.poll(() => connectionsTo(maple), { timeout: 10_000 }).toBe(0); // the old pool is closed
    expect((await admin('PATCH', '/api/admin/clients/maple', { databaseUrl: urlOf(maple) })).statusCode).toBe(200);
    expect(await sessionsOf('maple')).toBe(5);
  });

  it('disabling: its endpoints answer 404 and its connections close; enabling serves it again', async () => {
    expect(await sessionsOf('maple')).toBe(5);
    expect(await connectionsTo(maple)).toBeGreaterThan(0);
    const disabled = await admin('PATCH', '/api/admin/clients/maple', { disabled: true });
    expect(disabled.json()).toMatchObject({ disabled: true, hasDatabase: true });
    expect(await sessionsOf('maple')).toBe(404);
    expect((await admin('GET', '/api/maple/test')).statusCode).toBe(404);
    expect((await admin('GET', '/clients')).json().map((c: { id: string }) => c.id)).toEqual(['alpha']);
    await expect.poll(() => connectionsTo(maple), { timeout: 10_000 }).toBe(0);
    expect((await admin('GET', '/api/admin/clients')).json().find((c: { id: string }) => c.id === 'maple').disabled).toBe(true);

    expect((await admin('PATCH', '/api/admin/clients/maple', { disabled: false })).statusCode).toBe(200);
    expect(await sessionsOf('maple')).toBe(5);
  });

  it('removing: gone from the registry and the store, its connections closed', async () => {
    expect((await admin('POST', '/api/admin/clients', { id: 'gone', name: 'Gone soon', timezone: 'UTC', databaseUrl: urlOf(shop) })).statusCode).toBe(201);
    expect(await sessionsOf('gone')).toBe(8);
    const removed = await admin('DELETE', '/api/admin/clients/gone');
    expect(removed.statusCode).toBe(204);
    expect(await sessionsOf('gone')).toBe(404);
    expect((await admin('DELETE', '/api/admin/clients/gone')).statusCode).toBe(404);
    expect((await admin('PATCH', '/api/admin/clients/gone', { name: 'Back?' })).statusCode).toBe(404);
    await expect.poll(() => connectionsTo(shop), { timeout: 10_000 }).toBe(0);
    const { rows } = await runtimeOf(app).platform.pool.query(`SELECT id FROM tenants.clients WHERE id = 'gone'`);
    expect(rows).toEqual([]);
  });

  it('removing ends every grant of it: the same id created again has no one in it', async () => {
    expect((await admin('POST', '/api/admin/clients', { id: 'reborn', name: 'Reborn', timezone: 'UTC', databaseUrl: urlOf(shop) })).statusCode).toBe(201);
    await addPerson(app, { email: 'viewer@reborn.example', role: 'member', clients: { reborn: 'viewer' } });
    const cookie = await signInPerson(app, 'viewer@reborn.example');
    const { secret } = await createToken(runtimeOf(app).platform.pool, { kind: 'service', clientId: 'reborn', name: 'widget', expiresAt: null, createdBy: null });
    const invited = await admin('POST', '/api/invitations', { email: 'later@reborn.example', role: 'member', clients: { reborn: 'viewer' } });
    expect(invited.statusCode, invited.body).toBe(201);
    const readAs = (headers: Record<string, string>) => call(app, { method: 'GET', url: `/api/reborn/funnel?${DAY}`, headers }).then((r) => r.statusCode);
    expect([await readAs(asBrowser(cookie)), await readAs(bearer(secret))]).toEqual([200, 200]);

    expect((await admin('DELETE', '/api/admin/clients/reborn')).statusCode).toBe(204);
    expect((await admin('POST', '/api/admin/clients', { id: 'reborn', name: 'Someone else', timezone: 'UTC', databaseUrl: urlOf(shop) })).statusCode).toBe(201);
    expect(await sessionsOf('reborn')).toBe(8);
    expect(await readAs(asBrowser(cookie))).toBe(404); // the old member sees nothing of the newcomer
    expect(await readAs(bearer(secret))).toBe(401); // the old service token is revoked
    const pending = (await admin('GET', '/api/invitations')).json() as { email: string }[];
    expect(pending.map((i) => i.email)).not.toContain('later@reborn.example');
    const removal = (await admin('GET', '/api/audit?action=client-removed')).json().entries[0];
    expect(removal.details).toMatchObject({ memberships: 1, serviceCredentials: 1, invitations: 1 });
    expect((await admin('DELETE', '/api/admin/clients/reborn')).statusCode).toBe(204); // the stored clients are as before
  });

  it('reach another replica within seconds (it polls the platform database)', async () => {
    const other = await replica([key('k1')]);
    try {
      expect(await sessionsOf('maple', other.app)).toBe(5);
      expect((await admin('POST', '/api/admin/clients', { id: 'shop', name: 'The Shop', timezone: 'UTC', databaseUrl: urlOf(shop) })).statusCode).toBe(201);
      await expect.poll(() => sessionsOf('shop', other.app), { timeout: 10_000 }).toBe(8);
      expect((await admin('PATCH', '/api/admin/clients/shop', { disabled: true })).statusCode).toBe(200);
      await expect.poll(() => sessionsOf('shop', other.app), { timeout: 10_000 }).toBe(404);
      expect((await admin('PATCH', '/api/admin/clients/shop', { disabled: false, name: 'The Shop (again)' })).statusCode).toBe(200);
      await expect.poll(async () => (await admin('GET', '/clients', undefined, other.app)).json().find((c: { id: string }) => c.id === 'shop')?.name, { timeout: 10_000 }).toBe('The Shop (again)');
    } finally {
      await other.close();
    }
  });

  it('are in the audit log, with no URL or password in it', async () => {
    const { rows } = await runtimeOf(app).platform.pool.query<{ action: string; target: string; details: object }>(
      `SELECT action, target, details FROM access.audit WHERE action LIKE 'client-%' ORDER BY id`,
    );
    expect(rows.map((r) => `${r.action} ${r.target}`)).toEqual(expect.arrayContaining(['client-created maple', 'client-changed maple', 'client-removed gone', 'client-created shop']));
    expect(rows.find((r) => r.action === 'client-changed')!.details).toEqual({ fields: 'branding,name', disabled: false, hasDatabase: true });
    const text = JSON.stringify(rows);
    for (const secret of [CLIENT_DB_PASSWORD, 'postgres://', maple.name, shop.name]) expect(text).not.toContain(secret);
  });
});

describe('POST /api/admin/clients/test-connection', () => {
  const test = (payload: object) => admin('POST', '/api/admin/clients/test-connection', payload);

  it('reports the tables, each timestamp column\'s type and the server, for a real database', async () => {
    const res = await test({ databaseUrl: urlOf(shop) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, problems: [], tables: { UserEvents: true, Leads: true, ChatLog: true, AgentConnection: true } });
    expect(body.latencyMs).toEqual(expect.any(Number));
    expect(body.serverVersion).toMatch(/^\d+/);
    expect(body.timestampTypes).toMatchObject({ 'UserEvents.createdAt': 'timestamptz', 'UserEvents.pageLoaded': 'timestamp', 'Leads.createdAt': 'timestamp', 'AgentConnection.requestedAt': 'timestamp' });
    // A saved client's own URL, without showing it.
    expect((await test({ clientId: 'maple' })).json()).toMatchObject({ ok: true, timestampTypes: { 'UserEvents.createdAt': 'timestamp' } });
    expect((await test({ clientId: 'alpha' })).json().ok).toBe(true);
    expect((await test({ clientId: 'nobody' })).statusCode).toBe(404);
  });

  it('says what is missing in a database without the chatbot\'s tables, or in a schema that does not exist', async () => {
    const bare = (await test({ databaseUrl: urlOf(empty) })).json();
    expect(bare).toMatchObject({ ok: false, tables: { UserEvents: false, Leads: false, ChatLog: false, AgentConnection: false }, timestampTypes: {} });
    expect(bare.problems).toEqual(['The client database has no "UserEvents" table (schema "public")']);
    expect((await test({ databaseUrl: urlOf(shop, 'elsewhere') })).json().problems).toEqual(['The client database has no "UserEvents" table (schema "elsewhere")']);
  });

  it('fails clearly, never with the URL and never a 500, for a refused port, a missing database or a name that does not resolve', async () => {
    const port = await freePort();
    const refused = await test({ databaseUrl: `postgres://postgres:${CLIENT_DB_PASSWORD}@127.0.0.1:${port}/nothing` });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toEqual({
      ok: false, latencyMs: null, serverVersion: null, tables: { UserEvents: false, Leads: false, ChatLog: false, AgentConnection: false },
      timestampTypes: {}, problems: ['Connection refused: nothing accepts connections at that host and port'],
    });
    expect(refused.body).not.toContain(String(port));
    const missing = new URL(urlOf(maple));
    missing.pathname = '/no_such_database_here';
    expect((await test({ databaseUrl: missing.toString() })).json().problems).toEqual(['The database does not exist on that server']);
    expect((await test({ databaseUrl: `postgres://u:${CLIENT_DB_PASSWORD}@no-such-host.invalid/db` })).json().problems).toEqual(['The host name does not resolve']);
  });

  it('needs exactly one of databaseUrl and clientId', async () => {
    expect((await test({})).json().error.message).toBe('databaseUrl: give either databaseUrl or clientId');
    expect((await test({ databaseUrl: urlOf(maple), clientId: 'maple' })).statusCode).toBe(400);
  });
});

describe('bad input', () => {
  const create = (body: object) => admin('POST', '/api/admin/clients', { id: 'newcomer', name: 'Newcomer', timezone: 'UTC', ...body });
  it.each([
    ['a bad id', { id: 'Not_An_Id' }, /^id: /],
    ['an id the product uses in its own paths', { id: 'invitations' }, /^id: "invitations" is reserved/],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, /^timezone: "Mars\/Olympus" is not an IANA time zone$/],
    ['a malformed URL', { databaseUrl: 'not a url' }, /^databaseUrl: is not a valid URL$/],
    ['another database\'s URL', { databaseUrl: 'mysql://u:p@host/db' }, /^databaseUrl: must be a postgres:\/\/ or postgresql:\/\/ URL$/],
    ['an environment reference', { databaseUrl: '${PLATFORM_DB_URL}' }, /^databaseUrl: is not a valid URL$/],
    ['a bad ?schema=', { databaseUrl: 'postgres://u:p@host/db?schema=no;pe' }, /^databaseUrl: its \?schema= is not a valid schema name$/],
    ['a bad colour', { branding: { primaryColor: 'teal' } }, /^branding\.primaryColor: /],
    ['a logo that is no web address', { branding: { logoUrl: 'javascript:alert(1)' } }, /^branding\.logoUrl: must match pattern/],
    ['a blank name', { name: '   ' }, /^name: must not be blank$/],
    ['a missing time zone', { timezone: undefined }, /^timezone: /],
    ['a bad Grafana org', { grafanaOrgId: 0 }, /^grafanaOrgId: must be >= 1$/],
    ['a domain that is no host name', { domain: 'https://mapledental.com.au/' }, /^domain: must match pattern/],
  ])('%s: 400 naming the field', async (_name, body, message) => {
    const res = await create(body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toEqual({ code: 'INVALID_PARAMETER', message: expect.stringMatching(message) });
    expect(res.body).not.toContain('u:p@');
    expect((await admin('GET', '/api/admin/clients')).json().map((c: { id: string }) => c.id)).not.toContain('newcomer');
  });

  it('a change is validated the same way, and an empty one is refused', async () => {
    expect((await admin('PATCH', '/api/admin/clients/maple', { timezone: 'Nowhere/Land' })).json().error.message).toMatch(/^timezone: /);
    expect((await admin('PATCH', '/api/admin/clients/maple', { databaseUrl: 'http://example.com' })).json().error.message).toMatch(/^databaseUrl: /);
    expect((await admin('PATCH', '/api/admin/clients/maple', {})).statusCode).toBe(400);
    expect(await sessionsOf('maple')).toBe(5);
  });

  it('null clears an optional field', async () => {
    const res = await admin('PATCH', '/api/admin/clients/maple', { domain: null, grafanaOrgId: null, branding: { logoUrl: null } });
    expect(res.json()).toMatchObject({ domain: null, grafanaOrgId: null, branding: { primaryColor: '#0f766e', logoUrl: null }, hasDatabase: true });
  });
});

describe('who may manage clients', () => {
  const routes: [InjectOptions['method'], string, object?][] = [
    ['GET', '/api/admin/clients'],
    ['POST', '/api/admin/clients', { id: 'sneaky', name: 'Sneaky', timezone: 'UTC' }],
    ['PATCH', '/api/admin/clients/maple', { name: 'Taken over' }],
    ['DELETE', '/api/admin/clients/maple'],
    ['POST', '/api/admin/clients/test-connection', { clientId: 'maple' }],
    ['POST', '/api/admin/clients', { id: 'BAD ID', timezone: 'Mars/Olympus' }], // refused before the body is judged
  ];

  it('nobody but an admin: members, operators (even of every client) and client keys get 403', async () => {
    await addPerson(app, { email: 'member@example.com', role: 'member', clients: { maple: 'editor' } });
    await addPerson(app, { email: 'operator@example.com', role: 'operator', allClients: true });
    const callers = {
      member: asBrowser(await signInPerson(app, 'member@example.com')),
      operator: asBrowser(await signInPerson(app, 'operator@example.com')),
      'client key': bearer(KEYS.alpha),
    };
    for (const [who, headers] of Object.entries(callers)) {
      for (const [method, url, payload] of routes) {
        const res = await call(app, { method, url, headers, ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${who} ${method} ${url}: ${res.body}`).toBe(403);
        expect(res.json().error).toEqual({ code: 'FORBIDDEN', message: 'Only admins manage clients' });
      }
    }
    expect((await call(app, { method: 'GET', url: '/api/admin/clients' })).statusCode).toBe(401);
    expect(runtimeOf(app).registry.get('maple')!.name).toBe('Maple Dental Clinic');
    expect(runtimeOf(app).registry.get('sneaky')).toBeUndefined();
  });
});

describe('master keys', () => {
  it('rotating keeps every client working, on a replica that has only the new key', async () => {
    const pool = runtimeOf(app).platform.pool;
    const report = await rotateClientSecrets(pool, new SecretBox([key('k2'), key('k1')]));
    expect(report).toEqual({ rotated: 2, current: 0, failed: [] }); // maple and shop
    const other = await replica([key('k2')]);
    try {
      expect(await sessionsOf('maple', other.app)).toBe(5);
      expect(await sessionsOf('shop', other.app)).toBe(8);
      expect((await admin('GET', '/api/admin/clients', undefined, other.app)).json().every((c: { problem: string | null }) => c.problem === null)).toBe(true);
    } finally {
      await other.close();
    }
    expect(await sessionsOf('maple')).toBe(5); // this process still holds them decrypted
  });

  it('a value under a key removed from ENCRYPTION_KEYS fails alone, with an error naming the key id', async () => {
    await createStoredClient(runtimeOf(app).platform.pool, new SecretBox([key('old')]), {
      id: 'orphan', name: 'Orphan', domain: null, timezone: 'UTC', branding: { primaryColor: '#000000', logoUrl: null }, grafanaOrgId: null,
      database: { url: urlOf(maple), schema: 'public' },
    });
    const other = await replica([key('k2')]);
    try {
      const res = await call(other.app, { method: 'GET', url: `/api/orphan/funnel?${DAY}`, headers: ADMIN });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toEqual({
        code: 'DATABASE_NOT_CONFIGURED',
        message: 'Client "orphan": its database URL cannot be decrypted: encrypted under key "old", which ENCRYPTION_KEYS does not hold (it holds "k2")',
      });
      const listed = (await admin('GET', '/api/admin/clients', undefined, other.app)).json().find((c: { id: string }) => c.id === 'orphan');
      expect(listed).toMatchObject({ hasDatabase: true, problem: expect.stringContaining('key "old"') });
      const tested = (await admin('POST', '/api/admin/clients/test-connection', { clientId: 'orphan' }, other.app)).json();
      expect(tested).toMatchObject({ ok: false, problems: [expect.stringContaining('key "old"')] });
      expect(await sessionsOf('maple', other.app)).toBe(5); // the others keep working
      expect(await sessionsOf('shop', other.app)).toBe(8);
      // A new URL, under the current key, mends it.
      expect((await admin('PATCH', '/api/admin/clients/orphan', { databaseUrl: urlOf(shop) }, other.app)).statusCode).toBe(200);
      expect(await sessionsOf('orphan', other.app)).toBe(8);
    } finally {
      await other.close();
    }
  });

  it('without ENCRYPTION_KEYS (and a real platform database) a URL is refused with 503 naming it; a client without one is fine', async () => {
    const bare = await buildTestApp([], { admin: KEYS.admin });
    try {
      const refused = await call(bare, { method: 'POST', url: '/api/admin/clients', headers: ADMIN, payload: { id: 'nokey', name: 'No key', timezone: 'UTC', databaseUrl: urlOf(maple) } });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error).toEqual({ code: 'ENCRYPTION_NOT_CONFIGURED', message: expect.stringMatching(/^ENCRYPTION_KEYS is not set/) });
      const created = await call(bare, { method: 'POST', url: '/api/admin/clients', headers: ADMIN, payload: { id: 'nokey', name: 'No key', timezone: 'UTC' } });
      expect(created.json()).toMatchObject({ hasDatabase: false });
      expect((await call(bare, { method: 'GET', url: `/api/nokey/funnel?${DAY}`, headers: ADMIN })).json().error.code).toBe('DATABASE_NOT_CONFIGURED');
    } finally {
      await bare.close();
    }
  });
});

describe('what the API gives away', () => {
  it('documents the routes under "clients" in the OpenAPI document', async () => {
    const doc = (await call(app, { method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin/clients')).sort()).toEqual(['/api/admin/clients', '/api/admin/clients/test-connection', '/api/admin/clients/{id}']);
    expect(doc.paths['/api/admin/clients'].get.tags).toEqual(['clients']);
    expect(Object.keys(doc.paths['/api/admin/clients/{id}']).sort()).toEqual(['delete', 'patch']);
  });

  it('never a database URL or its password, in any answer of this file', () => {
    expect(answers.length).toBeGreaterThan(80);
    for (const { url, body, headers } of answers) {
      for (const text of [body, headers]) {
        expect(text, url).not.toContain(CLIENT_DB_PASSWORD);
        expect(text, url).not.toMatch(/postgres(?:ql)?:\/\/[^\s"]/);
        for (const db of [maple, shop, empty]) expect(text, url).not.toContain(db.name);
      }
    }
  });
});
