import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Ajv } from 'ajv';
import { parse as parseEnv } from 'dotenv';
import { parse } from 'yaml';
import { GRAFANA_PUBLIC_PATH } from '../../src/config/grafana.ts';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { ADMIN_URL } from '../helpers/testDatabase.ts';
import { connectClient } from '../../src/db/pool.ts';
import { grafanaDatasourceUrl } from '../../src/config/clients.ts';

/** docker-compose.yml as Compose reads it before interpolation (the YAML parser resolves anchors and aliases). */
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  ports?: string[];
  expose?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  command?: string[];
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

const COMPOSE_TEXT = readFileSync('docker-compose.yml', 'utf8');
const compose = parse(COMPOSE_TEXT) as ComposeFile;
const ENV_EXAMPLE = readFileSync('.env.example', 'utf8');
const registry = JSON.parse(readFileSync('config/clients.json', 'utf8')) as Record<string, { id: string; dbUrl: string }>;
const clientIds = Object.keys(registry);
const upper = (id: string) => id.toUpperCase().replace(/-/g, '_');

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`, `${NAME:+alt}`. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g;

class MissingVariable extends Error {}

/** Compose's interpolation of one value from the variables in `.env` (the `:` forms treat empty as unset). */
function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(REFERENCE, (_all, name: string, operator: string | undefined, argument: string | undefined) => {
    const raw = vars[name];
    const empty = raw === undefined || raw === '';
    if (operator === ':-') return empty ? argument! : raw!;
    if (operator === '-') return raw === undefined ? argument! : raw;
    if (operator === ':+') return empty ? '' : argument!;
    if ((operator === ':?' && empty) || (operator === '?' && raw === undefined)) throw new MissingVariable(name);
    return raw ?? '';
  });
}

function environmentOf(name: string, vars: Record<string, string | undefined>): Record<string, string> {
  const entries = Object.entries(service(name).environment ?? {});
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(String(value), vars)]));
}

/** The variables a required `${NAME:?…}` stops on when they are missing from .env. */
function requiredVariables(vars: Record<string, string | undefined>): string[] {
  const missing = new Set<string>();
  for (const name of Object.keys(compose.services)) {
    for (const value of Object.values(service(name).environment ?? {})) {
      for (const m of String(value).matchAll(REFERENCE)) {
        try {
          interpolate(m[0], vars);
        } catch (error) {
          if (error instanceof MissingVariable) missing.add(error.message);
        }
      }
    }
  }
  return [...missing].sort();
}

/** What an operator puts in .env: a copy of .env.example with the required secrets filled in (URL-safe, as documented). */
const SECRETS = {
  ADMIN_API_KEY: 'compose-admin-key-0123456789',
  SESSION_SECRET: 'compose-session-secret-0123456789abcdef',
  GRAFANA_ADMIN_PASSWORD: 'grafana-admin-password',
  POSTGRES_PASSWORD: 'postgres0123456789abcdef',
  MAPLE_GRAFANA_DB_PASSWORD: 'maple0123456789abcdef',
  CLIENT2_GRAFANA_DB_PASSWORD: 'client20123456789abcdef',
  METRICS_TOKEN: 'compose-metrics-token-0123456789',
};
const dotEnv = { ...parseEnv(ENV_EXAMPLE), ...SECRETS };

describe('docker-compose.yml', () => {
  it('is a valid Compose Specification file (its JSON Schema, draft-07), without the obsolete version key', () => {
    const schema = JSON.parse(readFileSync('test/schemas/compose/compose-spec.json', 'utf8')) as Record<string, unknown>;
    // Ajv's default class implements draft-07; a newer draft in a refreshed copy would need ajv/dist/2019 or 2020.
    expect(schema.$schema).toMatch(/draft-07/);
    delete schema.$schema; // the spec writes the draft-07 URI as https://…/schema, which Ajv does not know by that name
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    expect(compose).not.toHaveProperty('version');
  });

  it('needs exactly the documented secrets, and starts once they are in .env', () => {
    const required = Object.keys(SECRETS).sort();
    expect(requiredVariables(parseEnv(ENV_EXAMPLE))).toEqual(required);
    expect(requiredVariables(dotEnv)).toEqual([]);
  });

  it('documents every ${VAR} it uses in .env.example', () => {
    const used = [...new Set([...COMPOSE_TEXT.matchAll(REFERENCE)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !new RegExp(`^${name}=`, 'm').test(ENV_EXAMPLE))).toEqual([]);
    // only ${…} references: a bare $NAME would be interpolated too and is easy to miss ($$ is a literal dollar)
    expect(COMPOSE_TEXT.replace(/\$\$/g, '').match(/\$(?!\{)/g)).toBeNull();
  });

  it('gives the API a valid production configuration with every client on its own database and Grafana synced', () => {
    const env = environmentOf('api', dotEnv);
    expect(env.NODE_ENV).toBe('production');
    const config = loadConfig(env);
    expect(config.production).toBe(true);
    expect(config.demo).toBe(false);
    expect(config.adminApiKey).toBe(SECRETS.ADMIN_API_KEY);
    expect(config.clients.map((client) => client.id)).toEqual(clientIds);
    for (const client of config.clients) {
      const url = new URL(client.database!.url);
      expect([url.hostname, url.port, url.pathname]).toEqual(['postgres', '5432', `/${client.id}`]);
    }
    expect(config.grafana.url).toBe('http://grafana:3000');
    expect(config.grafana.syncOnStart).toBe(true);
    expect(config.grafana.adminPassword).toBe(SECRETS.GRAFANA_ADMIN_PASSWORD);
  });

  it("points each client's Grafana data source at that client's read-only role, never the superuser", () => {
    const config = loadConfig(environmentOf('api', dotEnv));
    for (const id of clientIds) {
      const url = new URL(grafanaDatasourceUrl(config.clients.find((c) => c.id === id)!)!);
      expect([url.username, url.password, url.hostname, url.pathname]).toEqual([
        `grafana_${id}`,
        dotEnv[`${upper(id)}_GRAFANA_DB_PASSWORD` as keyof typeof dotEnv],
        'postgres',
        `/${id}`,
      ]);
    }
  });

  describe('api', () => {
    const api = service('api');

    it('is built from the Dockerfile and published on 3001', () => {
      expect(api.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      expect(api.ports).toEqual(['3001:3001']);
    });

    it('starts after PostgreSQL is healthy, the seed has finished and Grafana is healthy', () => {
      expect(api.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        seed: { condition: 'service_completed_successfully' },
        grafana: { condition: 'service_healthy' },
      });
    });

    it('has a health check on /ready that needs no curl', () => {
      expect(api.healthcheck!.test.join(' ')).toMatch(/^CMD node -e .*fetch\('http:\/\/127\.0\.0\.1:3001\/ready'\)/);
    });
  });

  describe('grafana', () => {
    const grafana = service('grafana');
    const env = () => environmentOf('grafana', dotEnv);

    it('is not published to the host: only the API reaches it', () => {
      expect(grafana).not.toHaveProperty('ports');
      expect(grafana.expose).toEqual(['3000']);
    });

    it('runs an exact Grafana 12 or 13 release, not a moving tag', () => {
      expect(grafana.image).toMatch(/^grafana\/grafana(-oss)?:1[23]\.\d+\.\d+$/);
    });

    it("trusts the API's auth-proxy header, serves from the API's /grafana/ sub-path, and has no login form or anonymous access", () => {
      const gf = env();
      expect(gf.GF_SERVER_ROOT_URL).toBe(`http://localhost:3001${GRAFANA_PUBLIC_PATH}`);
      expect(environmentOf('grafana', { ...dotEnv, PUBLIC_URL: 'https://analytics.example.com' }).GF_SERVER_ROOT_URL).toBe(
        'https://analytics.example.com/grafana/',
      );
      expect(gf).toMatchObject({
        GF_SERVER_SERVE_FROM_SUB_PATH: 'true',
        GF_AUTH_PROXY_ENABLED: 'true',
        GF_AUTH_PROXY_HEADER_NAME: 'X-WEBAUTH-USER',
        GF_AUTH_PROXY_HEADER_PROPERTY: 'username',
        GF_AUTH_PROXY_AUTO_SIGN_UP: 'false',
        GF_AUTH_PROXY_HEADERS: 'Name:X-WEBAUTH-NAME', // never Email: Grafana would look people up by it first
        GF_AUTH_PROXY_HEADERS_ENCODED: 'true', // the API sends names quoted-printable encoded
        GF_AUTH_DISABLE_LOGIN_FORM: 'true',
        GF_AUTH_ANONYMOUS_ENABLED: 'false',
        GF_USERS_ALLOW_SIGN_UP: 'false',
        GF_USERS_AUTO_ASSIGN_ORG: 'false',
        GF_AUTH_BASIC_ENABLED: 'true', // the sync signs in with the admin's basic auth
      });
    });

    it("has the admin the API's sync signs in as", () => {
      const gf = env();
      const api = environmentOf('api', dotEnv);
      expect(gf.GF_SECURITY_ADMIN_USER).toBe(api.GRAFANA_ADMIN_USER);
      expect(gf.GF_SECURITY_ADMIN_PASSWORD).toBe(api.GRAFANA_ADMIN_PASSWORD);
    });

    it('keeps its database on a named volume and reports health from /api/health', () => {
      expect(grafana.volumes).toContain('grafana-data:/var/lib/grafana');
      expect(compose.volumes).toHaveProperty('grafana-data');
      const [form, command] = grafana.healthcheck!.test;
      expect(form).toBe('CMD-SHELL');
      expect(command).toBe(
        'curl -fsS -o /dev/null http://localhost:3000/api/health || wget -q -O /dev/null http://localhost:3000/api/health',
      );
    });
  });

  describe('postgres', () => {
    const postgres = service('postgres');

    it('is not published, keeps its data on a named volume and runs the init scripts of deploy/postgres/init', () => {
      expect(postgres).not.toHaveProperty('ports');
      expect(postgres.image).toMatch(/^postgres:1[67](\.\d+)?$/);
      expect(postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
      expect(postgres.volumes).toContain('./deploy/postgres/init:/docker-entrypoint-initdb.d:ro');
      expect(existsSync('deploy/postgres/init/10-client-databases.sh')).toBe(true);
    });

    it('is healthy only once it accepts TCP connections (not while the init scripts run on the socket)', () => {
      expect(postgres.healthcheck!.test).toEqual(['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', '5432', '-U', 'postgres', '-d', 'postgres']);
    });

    it('creates one database and read-only role per client in config/clients.json', () => {
      const env = environmentOf('postgres', dotEnv);
      expect(env.CLIENT_DATABASES!.split(/\s+/)).toEqual(clientIds);
      for (const id of clientIds) expect(env[`${upper(id)}_GRAFANA_DB_PASSWORD`]).toBe(dotEnv[`${upper(id)}_GRAFANA_DB_PASSWORD` as keyof typeof dotEnv]);
      expect(env.POSTGRES_PASSWORD).toBe(SECRETS.POSTGRES_PASSWORD);
    });
  });

  describe('seed', () => {
    const seed = service('seed');

    it('is one-shot from the API image, re-runnable, and waits for PostgreSQL', () => {
      expect(seed.restart).toBe('no');
      expect(seed.image).toBe(service('api').image);
      expect(seed.build).toEqual(service('api').build);
      expect(seed.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(seed.environment).toEqual(service('api').environment);
    });

    it('seeds every client only while its tables are empty', () => {
      const script = seed.command!.join(' ');
      for (const id of clientIds) expect(script).toContain(`npm run seed -- --client ${id} --if-empty`);
      expect(script).not.toContain('--force');
    });
  });
});

/**
 * The init script itself, run the way the postgres image runs it (as the superuser, once), against the local test
 * server with throw-away client ids; then the roles are tried the way Grafana would use them.
 */
describe('deploy/postgres/init/10-client-databases.sh', () => {
  const admin = new URL(ADMIN_URL);
  const suffix = randomBytes(4).toString('hex');
  const ids = [`deploytest-${suffix}-a`, `deploytest-${suffix}-b`];
  const [a, b] = ids as [string, string];
  const urlFor = (user: string, database: string) => {
    const url = new URL(ADMIN_URL);
    url.username = user;
    url.password = '';
    url.pathname = `/${database}`;
    return url.toString();
  };
  const query = async (user: string, database: string, sql: string) => {
    const client = await connectClient({ connectionString: urlFor(user, database) });
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const runScript = (extra: Record<string, string>) =>
    spawnSync('bash', ['deploy/postgres/init/10-client-databases.sh'], {
      env: {
        PATH: process.env.PATH,
        PGHOST: admin.hostname,
        PGPORT: admin.port || '5432',
        POSTGRES_USER: decodeURIComponent(admin.username) || 'postgres',
        CLIENT_DATABASES: ids.join(' '),
        ...extra,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
  const passwords = Object.fromEntries(ids.map((id) => [`${upper(id)}_GRAFANA_DB_PASSWORD`, `pw-${id}`]));
  const superuser = decodeURIComponent(admin.username) || 'postgres';

  afterAll(async () => {
    const client = await connectClient({ connectionString: ADMIN_URL });
    try {
      for (const id of ids) await client.query(`DROP DATABASE IF EXISTS "${id}" WITH (FORCE)`);
      for (const id of ids) await client.query(`DROP ROLE IF EXISTS "grafana_${id}"`);
    } finally {
      await client.end();
    }
  });

  it('creates nothing when a password is missing', async () => {
    const result = runScript({ [`${upper(a)}_GRAFANA_DB_PASSWORD`]: 'only-one' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${upper(b)}_GRAFANA_DB_PASSWORD is not set`);
    const { rows } = await query(superuser, 'postgres', `SELECT datname FROM pg_database WHERE datname LIKE 'deploytest-${suffix}-%'`);
    expect(rows).toEqual([]);
  });

  it("creates each client's database and a role that can read the tables the seed creates later", async () => {
    const result = runScript(passwords);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    await query(superuser, a, 'CREATE TABLE "UserEvents" ("sessionId" text PRIMARY KEY); INSERT INTO "UserEvents" VALUES (\'s1\')');
    const { rows } = await query(`grafana_${a}`, a, 'SELECT count(*)::int AS n FROM "UserEvents"');
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('gives that role read-only transactions and a statement timeout', async () => {
    const { rows } = await query(`grafana_${a}`, a, "SELECT current_setting('default_transaction_read_only') AS ro, current_setting('statement_timeout') AS timeout");
    expect(rows).toEqual([{ ro: 'on', timeout: '30s' }]);
  });

  it('does not let that role write, even in a read-write transaction it asks for', async () => {
    await expect(query(`grafana_${a}`, a, 'BEGIN READ WRITE; INSERT INTO "UserEvents" VALUES (\'s2\')')).rejects.toMatchObject({ code: '42501' });
    await expect(query(`grafana_${a}`, a, 'BEGIN READ WRITE; CREATE TABLE own (i int)')).rejects.toMatchObject({ code: '42501' });
  });

  it("keeps each role out of the other client's database", async () => {
    await expect(query(`grafana_${a}`, b, 'SELECT 1')).rejects.toMatchObject({ code: '42501' });
    await expect(query(`grafana_${b}`, a, 'SELECT 1')).rejects.toMatchObject({ code: '42501' });
    expect((await query(`grafana_${b}`, b, 'SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});
