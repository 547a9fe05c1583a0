import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { DASHBOARDS_DIR } from '../../src/grafana/dashboardFiles.ts';
import { renderProvisioning, writeProvisioning } from '../../src/grafana/provisioning.ts';
import { createRoleDatabase, type RoleDatabase } from '../helpers/datasourceRoles.ts';

const MAPLE_PASSWORD = 'maple-ro-pw-Qz7';
const NORTHWIND_PASSWORD = 'northwind-ro-pw-Kx2';
// Real read-only roles on the local server: provisioning checks each data source's role before writing its file.
let roles: RoleDatabase;
const role = { maple: '', client2: '' };
let env: Record<string, string>;
// The default registry: maple in org 2, client2 in org 3.
let config: ReturnType<typeof loadConfig>;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grafana-provisioning-'));
  roles = await createRoleDatabase('grafana_provisioning');
  role.maple = await roles.role('maple');
  role.client2 = await roles.role('client2');
  env = {
    MAPLE_GRAFANA_DB_URL: roles.url(role.maple, MAPLE_PASSWORD),
    CLIENT2_GRAFANA_DB_URL: roles.url(role.client2, NORTHWIND_PASSWORD).replace(':5432/', '/').replace('postgres://', 'postgresql://'),
  };
  config = loadConfig(env);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await roles?.drop();
});

/** The configuration with maple's data source replaced. */
const withMapleUrl = (url: string, allowWritable = false) => ({
  clients: config.clients.map((c) => (c.id === 'maple' ? { ...c, grafanaDatabaseUrl: url } : c)),
  grafana: { ...config.grafana, allowWritableDatasource: allowWritable },
});

const read = (path: string) => readFileSync(join(dir, path), 'utf8');

describe('grafana provisioning files', () => {
  it('writes per-client data source YAML with its org id, the shared uid and the password as an env reference', async () => {
    writeProvisioning(dir, (await renderProvisioning(config)).files);
    expect(readdirSync(join(dir, 'datasources')).sort()).toEqual(['client2.yaml', 'maple.yaml']);
    const maple = parse(read('datasources/maple.yaml'));
    expect(maple.apiVersion).toBe(1);
    expect(maple.datasources).toEqual([
      {
        name: 'Chatbot PostgreSQL', type: 'grafana-postgresql-datasource', access: 'proxy', url: '127.0.0.1:5432', user: role.maple,
        isDefault: true, orgId: 2, uid: config.grafana.datasourceUid, editable: false,
        jsonData: { database: roles.db.name, sslmode: 'disable', postgresVersion: 1500, timescaledb: false },
        secureJsonData: { password: '$MAPLE_GRAFANA_DB_PASSWORD' },
      },
    ]);
    const northwind = parse(read('datasources/client2.yaml')).datasources[0];
    expect(northwind).toMatchObject({ orgId: 3, uid: config.grafana.datasourceUid, url: '127.0.0.1:5432', user: role.client2, jsonData: { database: roles.db.name, sslmode: 'disable' } });
    expect(northwind.secureJsonData.password).toBe('$CLIENT2_GRAFANA_DB_PASSWORD');
  });

  it('writes one dashboard provider per org, each pointing at a folder with only that client\'s dashboard', async () => {
    writeProvisioning(dir, (await renderProvisioning(config)).files);
    for (const [id, orgId] of [['maple', 2], ['client2', 3]] as const) {
      const { apiVersion, providers } = parse(read(`dashboards/${id}.yaml`));
      expect(apiVersion).toBe(1);
      expect(providers).toHaveLength(1);
      expect(providers[0]).toMatchObject({ orgId, type: 'file', options: { path: `/etc/grafana/provisioning/dashboards/${id}` } });
      expect(readdirSync(join(dir, 'dashboards', id))).toEqual([`${id}.json`]);
      const dashboard = JSON.parse(read(`dashboards/${id}/${id}.json`));
      expect(dashboard.uid).toBe(`chatbot-${id}`);
      expect(dashboard.timezone).toBe(config.clients.find((c) => c.id === id)!.timezone);
    }
    const custom = (await renderProvisioning(config, { grafanaDir: '/srv/grafana' })).files.find((f) => f.path === 'dashboards/maple.yaml')!;
    expect(parse(custom.content).providers[0].options.path).toBe('/srv/grafana/dashboards/maple');
  });

  it('writes the same dashboard JSON as the committed files', async () => {
    const files = (await renderProvisioning(loadConfig({}))).files;
    for (const id of ['maple', 'client2']) {
      expect(files.find((f) => f.path === `dashboards/${id}/${id}.json`)!.content).toBe(readFileSync(join(DASHBOARDS_DIR, `${id}.json`), 'utf8'));
    }
  });

  it('never writes a password or a database URL', async () => {
    const { files, passwordVariables } = await renderProvisioning(config);
    expect(passwordVariables).toEqual(['MAPLE_GRAFANA_DB_PASSWORD', 'CLIENT2_GRAFANA_DB_PASSWORD']);
    for (const file of files) {
      for (const secret of [MAPLE_PASSWORD, NORTHWIND_PASSWORD, 'postgres://', 'postgresql://']) expect(file.content).not.toContain(secret);
    }
  });

  it('skips clients without an org id and data sources without a URL, saying why', async () => {
    const clients = config.clients.map((c) => (c.id === 'client2' ? { ...c, grafanaOrgId: null } : { ...c, grafanaDatabaseUrl: null, database: null }));
    const result = await renderProvisioning({ clients, grafana: config.grafana });
    expect(result.files.map((f) => f.path)).toEqual(['dashboards/maple.yaml', 'dashboards/maple/maple.json']);
    expect(result.skipped.join('\n')).toMatch(/maple: no data source \(set MAPLE_GRAFANA_DB_URL/);
    expect(result.skipped.join('\n')).toMatch(/client2: no grafanaOrgId/);
  });

  it('writes no data-source file for a superuser, says why and names the variable to set', async () => {
    const result = await renderProvisioning(withMapleUrl(roles.url('postgres', MAPLE_PASSWORD)));
    expect(result.files.map((f) => f.path)).not.toContain('datasources/maple.yaml');
    expect(result.files.map((f) => f.path)).toContain('datasources/client2.yaml');
    expect(result.files.map((f) => f.path)).toContain('dashboards/maple.yaml'); // the dashboard provider does not depend on it
    expect(result.skipped).toEqual([
      'maple: no data source written: the data source\'s role "postgres" is a superuser: Grafana Viewers can run any SQL with it. ' +
        'Set MAPLE_GRAFANA_DB_URL to a read-only role\'s URL (see README), or GRAFANA_ALLOW_WRITABLE_DATASOURCE=1 to accept the risk',
    ]);
    expect(result.passwordVariables).toEqual(['CLIENT2_GRAFANA_DB_PASSWORD']);
    expect(JSON.stringify(result)).not.toContain(MAPLE_PASSWORD);
  });

  it('with GRAFANA_ALLOW_WRITABLE_DATASOURCE=1 writes it anyway, and an unreachable one unchecked, each with a warning', async () => {
    const superuser = await renderProvisioning(withMapleUrl(roles.url('postgres', MAPLE_PASSWORD), true));
    expect(parse(superuser.files.find((f) => f.path === 'datasources/maple.yaml')!.content).datasources[0].user).toBe('postgres');
    expect(superuser.warnings).toEqual([expect.stringMatching(/^maple: GRAFANA_ALLOW_WRITABLE_DATASOURCE=1 lets this data source through: NOT READ-ONLY, .* is a superuser/)]);
    const unreachable = await renderProvisioning(withMapleUrl(`postgres://grafana_maple:${MAPLE_PASSWORD}@postgres.invalid:5432/maple?sslmode=require`, true));
    expect(parse(unreachable.files.find((f) => f.path === 'datasources/maple.yaml')!.content).datasources[0]).toMatchObject({
      url: 'postgres.invalid:5432', jsonData: { database: 'maple', sslmode: 'require' },
    });
    expect(unreachable.warnings).toEqual([
      expect.stringMatching(/^maple: GRAFANA_ALLOW_WRITABLE_DATASOURCE=1 lets this data source through: UNCHECKED, cannot check the data source's role: cannot connect \(ENOTFOUND\)$/),
      "maple: its database's layout could not be read (ENOTFOUND); the dashboard assumes the standard layout",
    ]);
    expect(JSON.stringify([superuser, unreachable])).not.toContain(MAPLE_PASSWORD);
  });

  it('npm run grafana:provisioning -- --out DIR writes the files and names the variables Grafana needs', () => {
    const out = join(dir, 'cli');
    // Empty values keep a developer's .env out of the child (dotenv never overrides a variable that is set).
    const isolated = { NODE_ENV: '', GRAFANA_DATASOURCE_UID: '', GRAFANA_ALLOW_WRITABLE_DATASOURCE: '', MAPLE_DB_URL: '', CLIENT2_DB_URL: '', CLIENTS_FILE: 'config/clients.json' };
    const run = spawnSync('node_modules/.bin/tsx', ['src/cli/grafanaProvisioning.ts', '--out', out], {
      env: { PATH: process.env.PATH, ...isolated, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('wrote datasources/maple.yaml');
    expect(run.stdout).toContain('MAPLE_GRAFANA_DB_PASSWORD, CLIENT2_GRAFANA_DB_PASSWORD');
    expect(run.stdout).not.toContain(MAPLE_PASSWORD);
    expect(parse(readFileSync(join(out, 'dashboards/client2.yaml'), 'utf8')).providers[0].orgId).toBe(3);
    const missing = spawnSync('node_modules/.bin/tsx', ['src/cli/grafanaProvisioning.ts'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('--out is required');
  });
});
