import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/loadConfig.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function registry(clients: unknown): string {
  const path = join(dir, `clients-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof clients === 'string' ? clients : JSON.stringify(clients));
  return path;
}

const maple = { id: 'maple', name: 'Maple', dbUrl: '${MAPLE_DB_URL}', grafanaOrgId: 2, domain: 'maple.test', timezone: 'Australia/Sydney' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('reads the default registry with maple in Sydney and defaults PORT to 3001', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3001);
    expect(config.clients.map((c) => [c.id, c.timezone])).toEqual([['maple', 'Australia/Sydney'], ['client2', 'Europe/London']]);
  });

  it('resolves ${ENV} database URLs and takes the schema from Prisma-style ?schema=', () => {
    const config = loadConfig({ CLIENTS_FILE: registry({ maple }), MAPLE_DB_URL: 'postgresql://u:p@db:5432/maple?schema=chat&sslmode=disable' });
    expect(config.clients[0]!.database).toEqual({ url: 'postgresql://u:p@db:5432/maple?sslmode=disable', schema: 'chat' });
    expect(config.demo).toBe(false);
  });

  it('switches to demo data when no client has a database, but never by itself in production', () => {
    const file = registry({ maple });
    expect(loadConfig({ CLIENTS_FILE: file }).demo).toBe(true);
    expect(loadConfig({ CLIENTS_FILE: file, NODE_ENV: 'production', ADMIN_API_KEY: 'k'.repeat(32), SESSION_SECRET: 's'.repeat(32) }).demo).toBe(false);
    expect(loadConfig({ CLIENTS_FILE: file, DEMO: '1', MAPLE_DB_URL: 'postgres://db/x' }).demo).toBe(true);
  });

  it('reads per-client API keys from <ID>_API_KEY with dashes as underscores', () => {
    const file = registry({ 'my-shop': { ...maple, id: 'my-shop' } });
    const config = loadConfig({ CLIENTS_FILE: file, MY_SHOP_API_KEY: 'shop-key-0123456789', ADMIN_API_KEY: 'admin-key-0123456789' });
    expect(config.clients[0]!.apiKey).toBe('shop-key-0123456789');
    expect(config.adminApiKey).toBe('admin-key-0123456789');
  });

  it('lists every bad key at once', () => {
    const file = registry({
      maple: { ...maple, timezone: 'Mars/Olympus' },
      Bad_Id: { ...maple, id: 'Bad_Id' },
      login: { ...maple, id: 'login' },
      other: { ...maple, id: 'other', name: '', dbUrl: 'mysql://x', extra: 1 },
    });
    const problems = problemsOf({ CLIENTS_FILE: file, PORT: 'abc', DB_POOL_MAX: '0', NODE_ENV: 'production' });
    expect(problems).toEqual(expect.arrayContaining([
      'clients.maple.timezone: "Mars/Olympus" is not an IANA time zone',
      'clients.Bad_Id: client id must match [a-z0-9-]+',
      'clients.login: "login" is reserved (the product uses /login/)',
      'PORT: must be an integer between 0 and 65535',
      'DB_POOL_MAX: must be an integer between 1 and 100',
      'ADMIN_API_KEY: or ADMIN_EMAIL and ADMIN_PASSWORD is required when NODE_ENV=production',
    ]));
    expect(problems.some((p) => p.startsWith('clients.other.name'))).toBe(true);
    expect(problems.some((p) => p.startsWith('clients.other') && p.includes('additional'))).toBe(true);
  });

  it('names the variable of a malformed database URL without printing its value', () => {
    const problems = problemsOf({ CLIENTS_FILE: registry({ maple }), MAPLE_DB_URL: 'not a url with s3cret' });
    expect(problems).toEqual(['MAPLE_DB_URL: is not a valid URL']);
  });

  it('reports a missing or malformed registry file', () => {
    expect(problemsOf({ CLIENTS_FILE: join(dir, 'missing.json') })[0]).toMatch(/^CLIENTS_FILE: cannot read/);
    expect(problemsOf({ CLIENTS_FILE: registry('{ nope') })[0]).toMatch(/^CLIENTS_FILE: .* is not valid JSON/);
  });

  it('canonicalises time zone names', () => {
    const config = loadConfig({ CLIENTS_FILE: registry({ maple: { ...maple, timezone: 'australia/sydney' } }) });
    expect(config.clients[0]!.timezone).toBe('Australia/Sydney');
  });
});
