import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { DASHBOARDS_DIR } from '../../src/grafana/dashboardFiles.ts';
import { renderProvisioning, writeProvisioning } from '../../src/grafana/provisioning.ts';

const MAPLE_PASSWORD = 'maple-ro-pw-Qz7';
const NORTHWIND_PASSWORD = 'northwind-ro-pw-Kx2';
const env = {
  MAPLE_GRAFANA_DB_URL: `postgres://grafana_maple:${MAPLE_PASSWORD}@postgres:5432/maple?sslmode=require`,
  CLIENT2_GRAFANA_DB_URL: `postgresql://grafana_client2:${NORTHWIND_PASSWORD}@postgres/client2`,
};
// The default registry: maple in org 2, client2 in org 3.
const config = loadConfig(env);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grafana-provisioning-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (path: string) => readFileSync(join(dir, path), 'utf8');

describe('grafana provisioning files', () => {
  it('writes per-client data source YAML with its org id, the shared uid and the password as an env reference', () => {
    writeProvisioning(dir, renderProvisioning(config).files);
    expect(readdirSync(join(dir, 'datasources')).sort()).toEqual(['client2.yaml', 'maple.yaml']);
    const maple = parse(read('datasources/maple.yaml'));
    expect(maple.apiVersion).toBe(1);
    expect(maple.datasources).toEqual([
      {
        name: 'Chatbot PostgreSQL', type: 'grafana-postgresql-datasource', access: 'proxy', url: 'postgres:5432', user: 'grafana_maple',
        isDefault: true, orgId: 2, uid: config.grafana.datasourceUid, editable: false,
        jsonData: { database: 'maple', sslmode: 'require', postgresVersion: 1500, timescaledb: false },
        secureJsonData: { password: '$MAPLE_GRAFANA_DB_PASSWORD' },
      },
    ]);
    const northwind = parse(read('datasources/client2.yaml')).datasources[0];
    expect(northwind).toMatchObject({ orgId: 3, uid: config.grafana.datasourceUid, jsonData: { database: 'client2', sslmode: 'disable' } });
    expect(northwind.secureJsonData.password).toBe('$CLIENT2_GRAFANA_DB_PASSWORD');
  });

  it('writes one dashboard provider per org, each pointing at a folder with only that client\'s dashboard', () => {
    writeProvisioning(dir, renderProvisioning(config).files);
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
    const custom = renderProvisioning(config, { grafanaDir: '/srv/grafana' }).files.find((f) => f.path === 'dashboards/maple.yaml')!;
    expect(parse(custom.content).providers[0].options.path).toBe('/srv/grafana/dashboards/maple');
  });

  it('writes the same dashboard JSON as the committed files', () => {
    const files = renderProvisioning(loadConfig({})).files;
    for (const id of ['maple', 'client2']) {
      expect(files.find((f) => f.path === `dashboards/${id}/${id}.json`)!.content).toBe(readFileSync(join(DASHBOARDS_DIR, `${id}.json`), 'utf8'));
    }
  });

  it('never writes a password or a database URL', () => {
    const { files, passwordVariables } = renderProvisioning(config);
    expect(passwordVariables).toEqual(['MAPLE_GRAFANA_DB_PASSWORD', 'CLIENT2_GRAFANA_DB_PASSWORD']);
    for (const file of files) {
      for (const secret of [MAPLE_PASSWORD, NORTHWIND_PASSWORD, 'postgres://', 'postgresql://']) expect(file.content).not.toContain(secret);
    }
  });

  it('skips clients without an org id and data sources without a URL, saying why', () => {
    const clients = config.clients.map((c) => (c.id === 'client2' ? { ...c, grafanaOrgId: null } : { ...c, grafanaDatabaseUrl: null, database: null }));
    const result = renderProvisioning({ clients, grafana: config.grafana });
    expect(result.files.map((f) => f.path)).toEqual(['dashboards/maple.yaml', 'dashboards/maple/maple.json']);
    expect(result.skipped.join('\n')).toMatch(/maple: no data source \(set MAPLE_GRAFANA_DB_URL/);
    expect(result.skipped.join('\n')).toMatch(/client2: no grafanaOrgId/);
  });

  it('npm run grafana:provisioning -- --out DIR writes the files and names the variables Grafana needs', () => {
    const out = join(dir, 'cli');
    // Empty values keep a developer's .env out of the child (dotenv never overrides a variable that is set).
    const isolated = { NODE_ENV: '', GRAFANA_DATASOURCE_UID: '', MAPLE_DB_URL: '', CLIENT2_DB_URL: '', CLIENTS_FILE: 'config/clients.json' };
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
