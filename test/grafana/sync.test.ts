import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import type { ClientConfig } from '../../src/config/clients.ts';
import { dashboardUid } from '../../src/grafana/buildDashboard.ts';
import { datasourceModel, parseDatasourceUrl } from '../../src/grafana/sync/datasourceSettings.ts';
import { grafanaLoginFor, syncGrafana, type SyncConfig, type SyncReport } from '../../src/grafana/sync/index.ts';
import { createRoleDatabase, type RoleDatabase } from '../helpers/datasourceRoles.ts';
import { isWrite, startFakeGrafana, type FakeGrafana } from '../helpers/fakeGrafana.ts';
import { freePort } from '../helpers/freePort.ts';
import { asPlatformDatabase, createTestDatabase } from '../helpers/testDatabase.ts';
import { createUser, deleteUser } from '../../src/access/users.ts';

const ADMIN_PASSWORD = 'grafana-admin-pw-4711';
const MAPLE_DB_PASSWORD = 'maple-db-pw-S3cr3t';
const NORTHWIND_DB_PASSWORD = 'northwind-db-pw-0815';
const UID = 'chatbot-analytics-pg';

/**
 * The data sources point at real read-only roles on the local server: sync checks each role before it syncs the
 * data source (roles are cluster-wide, so each run has its own, dropped afterwards).
 */
let roles: RoleDatabase;
const role = { maple: '', client2: '', writable: '' };
const DATASOURCE_URLS: Record<string, string> = {};
beforeAll(async () => {
  roles = await createRoleDatabase('grafana_sync');
  role.maple = await roles.role('maple');
  role.client2 = await roles.role('client2');
  role.writable = await roles.role('writer', ['GRANT INSERT ON "UserEvents" TO {role}']);
  DATASOURCE_URLS.maple = roles.url(role.maple, MAPLE_DB_PASSWORD);
  DATASOURCE_URLS.client2 = roles.url(role.client2, NORTHWIND_DB_PASSWORD).replace(':5432/', '/').replace('postgres://', 'postgresql://');
});
afterAll(() => roles?.drop());

/** The local server's superuser, with a password that must never be printed. */
const superuserUrl = () => roles.url('postgres', MAPLE_DB_PASSWORD);

function client(id: string, name: string, timezone: string, grafanaOrgId: number | null = null): ClientConfig {
  return {
    id, name, database: null, grafanaOrgId, domain: null, timezone, timestampType: 'timestamp', branding: { primaryColor: '#2563eb', logoUrl: null },
    apiKey: null, grafanaDatabaseUrl: DATASOURCE_URLS[id] ?? null,
  };
}

/** The same configuration with one client's data-source URL replaced. */
function withDatasourceUrl(cfg: SyncConfig, clientId: string, url: string): SyncConfig {
  return { ...cfg, clients: cfg.clients.map((c) => (c.id === clientId ? { ...c, grafanaDatabaseUrl: url } : c)) };
}

let fake: FakeGrafana;
let logs: string[];
beforeEach(async () => {
  fake = await startFakeGrafana({ adminPassword: ADMIN_PASSWORD });
  logs = [];
});
afterEach(() => fake.close());

function config(clients = [client('maple', 'Maple Dental Clinic', 'Australia/Sydney'), client('client2', 'Northwind Outdoor Shop', 'Europe/London')]): SyncConfig {
  return {
    clients,
    grafana: { url: fake.url, adminUser: 'admin', adminPassword: ADMIN_PASSWORD, datasourceUid: UID, syncOnStart: false, allowWritableDatasource: false },
  };
}

const allowingWritable = (cfg: SyncConfig): SyncConfig => ({ ...cfg, grafana: { ...cfg.grafana, allowWritableDatasource: true } });

const sync = (cfg: SyncConfig = config(), rotateSecrets = false) => syncGrafana(cfg, { log: (m) => logs.push(m), rotateSecrets });
const orgNamed = (name: string) => [...fake.orgs.values()].find((org) => org.name === name)!;
const userLogin = (id: string) => [...fake.users.values()].find((user) => user.login === grafanaLoginFor(id))!;
const membershipsOf = (userId: number) => [...fake.orgs.values()].filter((org) => org.members.has(userId)).map((org) => [org.id, org.members.get(userId)]);
const writesSince = (start: number) => fake.requests.slice(start).filter(isWrite);

describe('syncGrafana against a fake Grafana', () => {
  it('first run creates an org per client with its time zone, home dashboard, data source, dashboard and viewer', async () => {
    const report = await sync();
    expect(report.failures).toEqual([]);
    expect(report.clients.map((c) => [c.clientId, c.orgId])).toEqual([['maple', 2], ['client2', 3]]);
    for (const resource of ['org', 'datasource', 'dashboard', 'user'] as const) expect(report.counts[resource].created).toBe(2);

    const maple = fake.orgs.get(2)!;
    expect(maple.name).toBe('Maple Dental Clinic');
    expect(maple.prefs).toEqual({ timezone: 'Australia/Sydney', homeDashboardUID: dashboardUid('maple') });
    expect(fake.orgs.get(3)!.prefs.timezone).toBe('Europe/London');
    expect([...maple.dashboards.keys()]).toEqual([dashboardUid('maple')]);
    expect([...fake.orgs.get(3)!.dashboards.keys()]).toEqual([dashboardUid('client2')]);
    expect(fake.orgs.get(1)!.datasources.size + fake.orgs.get(1)!.dashboards.size).toBe(0); // nothing leaked into Main Org.

    const ds = maple.datasources.get(UID)!;
    expect(ds).toMatchObject({ type: 'grafana-postgresql-datasource', access: 'proxy', url: '127.0.0.1:5432', user: role.maple });
    expect(ds.jsonData).toMatchObject({ database: roles.db.name, sslmode: 'disable' });
    // client2's URL has no port and no sslmode: Grafana gets the defaults.
    expect(fake.orgs.get(3)!.datasources.get(UID)).toMatchObject({ url: '127.0.0.1:5432', user: role.client2, jsonData: { database: roles.db.name, sslmode: 'disable' } });
    expect(ds.secureJsonData).toEqual({ password: MAPLE_DB_PASSWORD });
    const { secureJsonData: _secret, ...visible } = ds;
    expect(JSON.stringify(visible)).not.toContain(MAPLE_DB_PASSWORD);
  });

  it('sends the database password only inside secureJsonData and never logs it', async () => {
    const report = await sync();
    for (const request of fake.requests) {
      const body = JSON.stringify(request.body ?? null);
      if (!body.includes(MAPLE_DB_PASSWORD) && !body.includes(NORTHWIND_DB_PASSWORD)) continue;
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/api/datasources');
      const { secureJsonData, ...rest } = request.body as Record<string, unknown>;
      expect(Object.values(secureJsonData as object)).toHaveLength(1);
      expect(JSON.stringify(rest)).not.toMatch(/db-pw/);
    }
    const printed = JSON.stringify([logs, report]);
    for (const secret of [MAPLE_DB_PASSWORD, NORTHWIND_DB_PASSWORD, ADMIN_PASSWORD, 'postgres://']) expect(printed).not.toContain(secret);
  });

  it('makes each client user a Viewer of exactly its own org (removing the auto-assigned Main Org.)', async () => {
    await sync();
    expect(membershipsOf(userLogin('maple').id)).toEqual([[2, 'Viewer']]);
    expect(membershipsOf(userLogin('client2').id)).toEqual([[3, 'Viewer']]);
    expect(userLogin('maple').isGrafanaAdmin).toBe(false);
  });

  it('scopes every org request with X-Grafana-Org-Id and calls only endpoints the fake implements', async () => {
    await sync();
    const scoped = fake.requests.filter((r) => /^\/api\/(datasources|dashboards|org\/)/.test(r.path));
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.every((r) => r.orgHeader === '2' || r.orgHeader === '3')).toBe(true);
    expect(fake.unmatched).toEqual([]);
  });

  it('a second run performs zero write requests and reports everything unchanged', async () => {
    await sync();
    const start = fake.requests.length;
    const second = await sync();
    expect(writesSince(start)).toEqual([]);
    expect(second.writes).toBe(0);
    expect(totals(second)).toEqual({ created: 0, updated: 0, skipped: 0, unchanged: 12 });
  });

  it('creates the org when the registry grafanaOrgId does not exist in Grafana, and reports the new id', async () => {
    const report = await sync(config([client('maple', 'Maple Dental Clinic', 'Australia/Sydney', 7)]));
    expect(report.clients[0]!.orgId).toBe(2);
    expect(report.orgIdMismatches).toEqual([{ clientId: 'maple', registryOrgId: 7, grafanaOrgId: 2 }]);
    expect(logs.join('\n')).toContain('set "grafanaOrgId": 2 for "maple" in clients.json');
  });

  it('uses an existing registry org: renames it and makes the admin its Admin before org-scoped calls', async () => {
    const old = fake.createOrg('Old Maple name'); // made elsewhere: the admin is not a member
    const report = await sync(config([client('maple', 'Maple Dental Clinic', 'Australia/Sydney', old.id)]));
    expect(report.failures).toEqual([]);
    expect(report.orgIdMismatches).toEqual([]);
    expect(old.name).toBe('Maple Dental Clinic');
    expect(old.members.get(1)).toBe('Admin');
    expect(old.datasources.has(UID)).toBe(true);
    expect(report.clients[0]!.outcomes.org).toBe('updated');
  });

  it('never lets a second client with the same grafanaOrgId rename or share the first one\'s org', async () => {
    const shared = fake.createOrg('Old name');
    const report = await sync(config([
      client('maple', 'Maple Dental Clinic', 'Australia/Sydney', shared.id),
      client('client2', 'Northwind Outdoor Shop', 'Europe/London', shared.id),
    ]));
    expect(shared.name).toBe('Maple Dental Clinic');
    expect(report.failures.map((f) => f.message)).toEqual([`client "client2": step "organization": Grafana org ${shared.id} already belongs to client "maple"`]);
    expect(shared.datasources.get(UID)!.user).toBe(role.maple);
  });

  it('finds the org by name after a 409 "Organization name taken" from a concurrent creation', async () => {
    let raced = 0;
    fake.beforeRequest = (method, path) => {
      // Right after our name lookup missed, another operator creates the org (the POST for maple went first).
      if (method === 'POST' && path === '/api/orgs' && orgNamed('Maple Dental Clinic') && !orgNamed('Northwind Outdoor Shop')) {
        raced = fake.createOrg('Northwind Outdoor Shop').id;
      }
    };
    const report = await sync();
    expect(raced).toBe(3);
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/api/orgs' && (r.body as { name: string }).name === 'Northwind Outdoor Shop')).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.clients.find((c) => c.clientId === 'client2')!.orgId).toBe(raced);
    expect(fake.orgs.get(raced)!.datasources.has(UID)).toBe(true);
    expect(fake.orgs.size).toBe(3);
  });

  it('refuses a wrong admin password with a clear error that does not contain it', async () => {
    const wrong = 'not-the-password-123';
    const cfg = config();
    const error = await syncGrafana({ ...cfg, grafana: { ...cfg.grafana, adminPassword: wrong } }, { log: (m) => logs.push(m) }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/rejected the admin credentials \(401\).*GRAFANA_ADMIN_PASSWORD/);
    expect(`${(error as Error).message}${logs.join('')}`).not.toContain(wrong);
    expect(fake.requests.filter(isWrite)).toEqual([]);
  });
});

describe('syncGrafana repairs drift', () => {
  it('updates the data source when a non-secret field changed; a new password alone needs rotateSecrets', async () => {
    await sync();
    const ds = fake.orgs.get(2)!.datasources.get(UID)!;
    ds.url = 'somewhere-else:5432';
    let start = fake.requests.length;
    expect((await sync()).counts.datasource.updated).toBe(1);
    expect(ds.url).toBe('127.0.0.1:5432');
    expect(writesSince(start).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /api/datasources/uid/${UID}`]);

    const rotated = withDatasourceUrl(config(), 'maple', roles.url(role.maple, 'new-pw-2'));
    start = fake.requests.length;
    await sync(rotated);
    expect(writesSince(start)).toEqual([]); // Grafana never returns the password, so a change is invisible
    await sync(rotated, true);
    expect(ds.secureJsonData.password).toBe('new-pw-2');
  });

  it('restores an edited dashboard and retries once with overwrite after a 412 version mismatch', async () => {
    await sync();
    const dashboards = fake.orgs.get(2)!.dashboards;
    const stored = dashboards.get(dashboardUid('maple'))!;
    stored.json = { ...stored.json, title: 'Edited by hand' };
    fake.beforeRequest = (method, path) => {
      if (method === 'POST' && path === '/api/dashboards/db') stored.version += 1; // someone saves it meanwhile
    };
    const start = fake.requests.length;
    const report = await sync();
    fake.beforeRequest = null;
    expect(report.counts.dashboard.updated).toBe(1);
    const posts = writesSince(start).filter((r) => r.path === '/api/dashboards/db');
    expect(posts.map((r) => (r.body as { overwrite: boolean }).overwrite)).toEqual([false, true]);
    expect(dashboards.get(dashboardUid('maple'))!.json.title).toBe('User Events Analytics');
    const again = fake.requests.length;
    await sync();
    expect(writesSince(again)).toEqual([]);
  });

  it('demotes and removes a client user who gained roles or orgs elsewhere', async () => {
    await sync();
    const user = userLogin('maple');
    fake.orgs.get(2)!.members.set(user.id, 'Editor');
    fake.orgs.get(3)!.members.set(user.id, 'Viewer'); // another client's org: must never stay
    await sync();
    expect(membershipsOf(user.id)).toEqual([[2, 'Viewer']]);
  });

  it('reports a failing client by name and step without its URL, and still syncs the others', async () => {
    const cfg = withDatasourceUrl(config(), 'maple', `${roles.url(role.maple, MAPLE_DB_PASSWORD)}?sslmode=prefer`);
    const report = await sync(cfg);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.message).toMatch(/^client "maple": step "data source": .*sslmode=prefer/);
    expect(JSON.stringify([report, logs])).not.toContain(MAPLE_DB_PASSWORD);
    expect(fake.orgs.get(3)!.datasources.has(UID)).toBe(true);
  });
});

describe("syncGrafana fits each dashboard to the client's database", () => {
  it('shows a text panel for a missing table, and updates the dashboard once the table exists', async () => {
    const shop = await createRoleDatabase('grafana_sync_schema');
    try {
      const viewer = await shop.role('shop');
      await shop.db.pool.query('DROP TABLE "AgentConnection"'); // the chatbot has none yet
      const shopClient = { ...client('shop', 'Shop', 'Europe/London'), timestampType: null, grafanaDatabaseUrl: shop.url(viewer, 'shop-pw-1') };
      const cfg = config([shopClient]);
      expect((await sync(cfg)).failures).toEqual([]);
      const stored = () => [...fake.orgs.values()].find((org) => org.name === 'Shop')!.dashboards.get(dashboardUid('shop'))!.json as { panels: { title: string; type: string }[] };
      const timeToAgent = () => stored().panels.find((p) => p.title === 'Time to agent')!;
      expect(timeToAgent().type).toBe('text');

      await shop.db.pool.query(`CREATE TABLE "AgentConnection" ("id" TEXT PRIMARY KEY, "sessionId" TEXT NOT NULL,
        "requestedAt" TIMESTAMP(3) NOT NULL, "connectedAt" TIMESTAMP(3), "endedAt" TIMESTAMP(3), "status" TEXT NOT NULL);
        GRANT SELECT ON "AgentConnection" TO ${viewer}`);
      const report = await sync(cfg);
      expect(report.counts.dashboard.updated).toBe(1);
      expect(timeToAgent().type).toBe('stat');
      const again = fake.requests.length;
      await sync(cfg);
      expect(writesSince(again)).toEqual([]); // nothing changed since: nothing written
    } finally {
      await shop.drop();
    }
  });
});

describe("syncGrafana checks the data source's database role first", () => {
  const refusal = (text: string) => new RegExp(
    `^client "maple": ${text}: Grafana Viewers can run any SQL with it\\. Set MAPLE_GRAFANA_DB_URL to a read-only role's URL \\(see README\\), or GRAFANA_ALLOW_WRITABLE_DATASOURCE=1 to accept the risk$`,
  );
  const failuresOf = (report: SyncReport) => report.failures.map((f) => f.message);

  it('refuses a superuser data source with a message naming the variable to set, and still syncs the other client', async () => {
    const report = await sync(withDatasourceUrl(config(), 'maple', superuserUrl()));
    expect(failuresOf(report)).toEqual([expect.stringMatching(refusal('the data source\'s role "postgres" is a superuser'))]);
    expect(fake.orgs.get(2)!.datasources.has(UID)).toBe(false);
    expect(report.clients[0]!.outcomes.datasource).toBe('skipped');
    expect(fake.orgs.get(3)!.datasources.get(UID)!.user).toBe(role.client2);
    // The refused client's org and Viewer-only user are still kept right.
    expect(membershipsOf(userLogin('maple').id)).toEqual([[2, 'Viewer']]);
    expect(JSON.stringify([report, logs])).not.toContain(MAPLE_DB_PASSWORD);
  });

  it("says so when the superuser comes from the fallback to the client's own database URL", async () => {
    const cfg = config();
    const fallback = { ...cfg, clients: cfg.clients.map((c) => (c.id === 'maple' ? { ...c, grafanaDatabaseUrl: null, database: { url: superuserUrl(), schema: 'public' } } : c)) };
    const [message] = failuresOf(await sync(fallback));
    expect(message).toContain('(MAPLE_GRAFANA_DB_URL is not set, so this is the client\'s own database URL)');
    expect(fake.orgs.get(2)!.datasources.has(UID)).toBe(false);
  });

  it('refuses a role that may INSERT on UserEvents', async () => {
    const report = await sync(withDatasourceUrl(config(), 'maple', roles.url(role.writable, MAPLE_DB_PASSWORD)));
    expect(failuresOf(report)).toEqual([expect.stringMatching(refusal(`the data source's role "${role.writable}" may INSERT on "UserEvents"`))]);
    expect(fake.orgs.get(2)!.datasources.has(UID)).toBe(false);
  });

  it('syncs a role that may only SELECT the chatbot tables, without a warning', async () => {
    const report = await sync();
    expect(report.failures).toEqual([]);
    expect(report.warnings.filter((w) => /role|GRAFANA_ALLOW_WRITABLE_DATASOURCE/.test(w))).toEqual([]);
    expect(report.counts.datasource.created).toBe(2);
  });

  it('with GRAFANA_ALLOW_WRITABLE_DATASOURCE=1 syncs the superuser data source, with a loud warning', async () => {
    const report = await sync(allowingWritable(withDatasourceUrl(config(), 'maple', superuserUrl())));
    expect(report.failures).toEqual([]);
    expect(fake.orgs.get(2)!.datasources.get(UID)!.user).toBe('postgres');
    expect(report.warnings).toEqual([
      'maple: GRAFANA_ALLOW_WRITABLE_DATASOURCE=1 lets this data source through: NOT READ-ONLY, the data source\'s role "postgres" is a superuser: Grafana Viewers can run any SQL with it',
    ]);
    expect(logs.some((line) => line.startsWith('maple: warning: GRAFANA_ALLOW_WRITABLE_DATASOURCE=1'))).toBe(true);
  });

  it('reports a client whose database cannot be reached for the check as failed, and syncs the others', async () => {
    const down = roles.url(role.maple, MAPLE_DB_PASSWORD, await freePort());
    const report = await sync(withDatasourceUrl(config(), 'maple', down));
    expect(failuresOf(report)).toEqual([
      'client "maple": cannot check the data source\'s role: cannot connect (ECONNREFUSED). Check that MAPLE_GRAFANA_DB_URL reaches the database from this server, or set GRAFANA_ALLOW_WRITABLE_DATASOURCE=1 to go on unchecked',
    ]);
    expect(fake.orgs.get(2)!.datasources.has(UID)).toBe(false);
    expect(fake.orgs.get(3)!.datasources.has(UID)).toBe(true);
  });

  it('maps a non-default port and sslmode=require into the data source unchanged', () => {
    // Unit level: the local server has no TLS, so a URL with sslmode=require cannot pass the role check here.
    const settings = parseDatasourceUrl('maple', `postgres://grafana_maple:${MAPLE_DB_PASSWORD}@db.internal:5433/maple?sslmode=require`);
    expect(datasourceModel(UID, settings)).toMatchObject({ url: 'db.internal:5433', user: 'grafana_maple', jsonData: { database: 'maple', sslmode: 'require' } });
    expect(JSON.stringify(datasourceModel(UID, settings))).not.toContain(MAPLE_DB_PASSWORD);
  });
});

describe('npm run grafana:sync', () => {
  // Empty values keep a developer's .env out of the child (dotenv never overrides a variable that is set).
  const isolated = Object.fromEntries(
    ['NODE_ENV', 'GRAFANA_URL', 'GRAFANA_ADMIN_USER', 'GRAFANA_ADMIN_PASSWORD', 'GRAFANA_DATASOURCE_UID', 'GRAFANA_SYNC_ON_START',
      'GRAFANA_ALLOW_WRITABLE_DATASOURCE', 'MAPLE_DB_URL', 'CLIENT2_DB_URL', 'MAPLE_GRAFANA_DB_URL', 'CLIENT2_GRAFANA_DB_URL', 'PLATFORM_DB_URL'].map((key) => [key, '']),
  );
  // Asynchronous on purpose: the fake Grafana answers from this very process.
  const run = (env: Record<string, string>, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const childEnv = { PATH: process.env.PATH, ...isolated, CLIENTS_FILE: 'config/clients.json', ...env };
      execFile('node_modules/.bin/tsx', ['src/cli/grafanaSync.ts', ...args], { env: childEnv, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });

  it('refuses to start without GRAFANA_URL and GRAFANA_ADMIN_PASSWORD', async () => {
    const result = await run({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('grafana:sync needs GRAFANA_URL and GRAFANA_ADMIN_PASSWORD');
  });

  it('syncs the registry and prints the report without secrets; --rotate-secrets rewrites only the data source', async () => {
    const env = {
      GRAFANA_URL: fake.url,
      GRAFANA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      MAPLE_GRAFANA_DB_URL: roles.url(role.maple, MAPLE_DB_PASSWORD),
    };
    const first = await run(env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Grafana sync: 2 client\(s\)/);
    expect(first.stdout).toContain('maple → Grafana org 2');
    expect(first.stdout).not.toContain('ACTION'); // the registry's org ids 2 and 3 are what Grafana gave
    expect(`${first.stdout}${first.stderr}`).not.toContain(MAPLE_DB_PASSWORD);
    const second = await run(env, '--rotate-secrets');
    expect(second.stdout).toContain('1 write request(s)'); // only maple's data source, to rewrite its password
    expect(first.stdout).toContain('Grafana people: skipped (PLATFORM_DB_URL is not set');
  });

  it("with PLATFORM_DB_URL also gives each person their own Viewer user in their clients' orgs, and removes the gone", async () => {
    const platform = await createTestDatabase('grafana_sync_people');
    try {
      await asPlatformDatabase(platform);
      const person = (email: string, role: 'member' | 'operator', clients: Record<string, 'viewer'>) =>
        createUser(platform.pool, { email, name: email.split('@')[0]!, role, allClients: false, clients, passwordHash: null });
      const ann = (await person('ann@maple.example', 'member', { maple: 'viewer' }))!;
      const op = (await person('op@agency.example', 'operator', { maple: 'viewer', client2: 'viewer' }))!;
      const env = { GRAFANA_URL: fake.url, GRAFANA_ADMIN_PASSWORD: ADMIN_PASSWORD, PLATFORM_DB_URL: platform.url };
      const first = await run(env);
      expect([first.code, first.stderr]).toEqual([0, '']);
      expect(first.stdout).toContain('Grafana people: 2 created, 0 updated, 0 unchanged, 0 removed');
      const orgsOf = (id: string) => fake.membershipsOf([...fake.users.values()].find((user) => user.login === `person-${id}`)!.id);
      expect(orgsOf(ann.id)).toEqual([[2, 'Viewer']]);
      expect(orgsOf(op.id)).toEqual([[2, 'Viewer'], [3, 'Viewer']]);
      await deleteUser(platform.pool, ann.id);
      const second = await run(env);
      expect(second.stdout).toContain('Grafana people: 0 created, 0 updated, 1 unchanged, 1 removed');
      expect([...fake.users.values()].some((user) => user.login === `person-${ann.id}`)).toBe(false);
      expect(`${first.stdout}${second.stdout}`).not.toContain(platform.url);
    } finally {
      await platform.drop();
    }
  });
});

function totals(report: SyncReport) {
  const sum = { created: 0, updated: 0, skipped: 0, unchanged: 0 };
  for (const counts of Object.values(report.counts)) for (const [k, v] of Object.entries(counts)) sum[k as keyof typeof sum] += v;
  return sum;
}
