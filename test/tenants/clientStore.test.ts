import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Problems } from '../../src/config/env.ts';
import { parseSecrets, type MasterKey } from '../../src/config/secrets.ts';
import { migratePlatform } from '../../src/platform/migrations.ts';
import { EncryptionNotConfiguredError, SecretBox, SecretError } from '../../src/platform/secrets.ts';
import { ClientRegistry } from '../../src/tenants/clientRegistry.ts';
import {
  createStoredClient, deleteStoredClient, listStoredClients, loadStoredClients, rotateClientSecrets, secretsByKey,
  storeSignature, storedClient, updateStoredClient, type NewClient,
} from '../../src/tenants/clientStore.ts';
import { ManagedClients } from '../../src/tenants/managedClients.ts';
import { captureProcessOutput } from '../helpers/logCapture.ts';
import { CLIENT_DB_PASSWORD, MASTER_KEYS } from '../helpers/secrets.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

/**
 * The store of clients managed in the product, against a real platform database: rows in and out, URLs only ever
 * stored as envelopes, decryption per client (one bad value never stops the others), key rotation (the function and
 * `npm run secrets -- rotate`), and the signature other replicas poll.
 */
const key = (kid: keyof typeof MASTER_KEYS): MasterKey => ({ kid, key: Buffer.from(MASTER_KEYS[kid], 'base64') });
const K1 = new SecretBox([key('k1')]);
const K2_THEN_K1 = new SecretBox([key('k2'), key('k1')]);
const K2 = new SecretBox([key('k2')]);

const URL_A = `postgres://analytics:${CLIENT_DB_PASSWORD}@db-a.internal.example:6543/clinic_a?sslmode=require`;
const URL_B = `postgres://analytics:${CLIENT_DB_PASSWORD}@db-b.internal.example:5432/shop_b`;

const newClient = (id: string, url: string | null, schema = 'public'): NewClient => ({
  id, name: `Client ${id}`, domain: `${id}.example.com`, timezone: 'Australia/Sydney',
  branding: { primaryColor: '#0f766e', logoUrl: null }, grafanaOrgId: null, database: url ? { url, schema } : null,
});

let platform: TestDatabase;
beforeAll(async () => {
  platform = await createTestDatabase('client_store');
  await migratePlatform(platform.pool);
});
afterAll(async () => {
  await platform?.drop();
});

/** Every stored row as text: what someone with a copy of the platform database sees. */
async function tableText(): Promise<string> {
  const { rows } = await platform.pool.query<{ t: string }>('SELECT t::text AS t FROM tenants.clients t');
  return rows.map((r) => r.t).join('\n');
}

describe('envelope encryption (SecretBox)', () => {
  it('seals each value under its own data key, wrapped under the current master key, and opens it again', () => {
    const a = K1.seal(URL_A, 'c/a');
    const b = K1.seal(URL_A, 'c/a');
    expect(Object.keys(a).sort()).toEqual(['ciphertext', 'iv', 'kid', 'tag', 'v', 'wrappedKey']);
    expect(a).toMatchObject({ v: 1, kid: 'k1' });
    expect(Buffer.from(a.wrappedKey, 'base64')).toHaveLength(12 + 16 + 32);
    expect(a.ciphertext).not.toBe(b.ciphertext); // fresh data key and IV each time
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(JSON.stringify(a)).not.toContain(CLIENT_DB_PASSWORD);
    expect(K1.open(a, 'c/a')).toBe(URL_A);
    expect(K1.open(JSON.stringify(a), 'c/a')).toBe(URL_A);
  });

  it('refuses a value moved to another record, or altered, or under a key it does not hold, naming the key id', () => {
    const sealed = K1.seal(URL_A, 'c/a');
    expect(() => K1.open(sealed, 'c/b')).toThrow(/does not authenticate/);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0]! ^= 1;
    expect(() => K1.open({ ...sealed, ciphertext: flipped.toString('base64') }, 'c/a')).toThrow(SecretError);
    const unknown = (() => { try { K2.open(sealed, 'c/a'); } catch (e) { return e as SecretError; } })();
    expect(unknown).toBeInstanceOf(SecretError);
    expect(unknown!.reason).toBe('unknown-key');
    expect(unknown!.message).toBe('encrypted under key "k1", which ENCRYPTION_KEYS does not hold (it holds "k2")');
    // Same id, other key material: said as such.
    const impostor = new SecretBox([{ kid: 'k1', key: Buffer.from(MASTER_KEYS.old, 'base64') }]);
    expect(() => impostor.open(sealed, 'c/a')).toThrow('key "k1" in ENCRYPTION_KEYS is not the key this value was encrypted under (or the value was altered)');
    expect(() => K1.open({ v: 2 }, 'c/a')).toThrow(/not a valid envelope/);
  });

  it('rotates by re-wrapping the data key: the ciphertext stays, the new key alone opens it', () => {
    const sealed = K1.seal(URL_B, 'c/b');
    const rotated = K2_THEN_K1.rewrap(sealed);
    expect(rotated.kid).toBe('k2');
    expect(rotated.ciphertext).toBe(sealed.ciphertext);
    expect(K2.open(rotated, 'c/b')).toBe(URL_B);
    expect(K2_THEN_K1.rewrap(rotated)).toEqual(rotated);
  });
});

describe('ENCRYPTION_KEYS', () => {
  const parse = (value: string) => {
    const problems = new Problems();
    return { keys: parseSecrets({ ENCRYPTION_KEYS: value }, problems).keys, problems: problems.list };
  };

  it('takes kid:base64 pairs, the first being the current key', () => {
    const { keys, problems } = parse(`k2:${MASTER_KEYS.k2}, k1:${MASTER_KEYS.k1}`);
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.kid)).toEqual(['k2', 'k1']);
    expect(keys[0]!.key.equals(Buffer.from(MASTER_KEYS.k2, 'base64'))).toBe(true);
    expect(parseSecrets({}, new Problems()).keys).toEqual([]);
  });

  it('names each bad entry clearly and never echoes key material', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const { problems } = parse(`x:${short},${MASTER_KEYS.k1},k1:${MASTER_KEYS.k1},k1:${MASTER_KEYS.k2},bad id!:${MASTER_KEYS.k2},y:not*base64`);
    expect(problems).toEqual([
      'ENCRYPTION_KEYS: key "x" is not 32 bytes of base64 (make one with: openssl rand -base64 32)',
      'ENCRYPTION_KEYS: entry 2 is not "kid:base64-of-32-bytes" (the key id and ":" are missing)',
      'ENCRYPTION_KEYS: key id "k1" appears twice',
      'ENCRYPTION_KEYS: entry 5: the key id must be 1–32 letters, digits, "-" or "_"',
      'ENCRYPTION_KEYS: key "y" is not 32 bytes of base64 (make one with: openssl rand -base64 32)',
    ]);
    for (const secret of [short, MASTER_KEYS.k1, MASTER_KEYS.k2]) expect(problems.join('\n')).not.toContain(secret);
  });
});

describe('the store', () => {
  it('keeps clients with their URL only as an envelope, and gives them back decrypted to the registry', async () => {
    const created = await createStoredClient(platform.pool, K1, newClient('store-a', URL_A, 'chatbot'));
    expect(created).toMatchObject({ id: 'store-a', hasDatabase: true, disabled: false, timezone: 'Australia/Sydney' });
    expect(await createStoredClient(platform.pool, K1, newClient('store-a', URL_B))).toBeNull(); // the id is taken
    await createStoredClient(platform.pool, K1, newClient('store-none', null));

    const text = await tableText();
    for (const clear of [CLIENT_DB_PASSWORD, 'db-a.internal.example', 'clinic_a', 'postgres://', 'analytics:']) expect(text).not.toContain(clear);
    const { rows } = await platform.pool.query<{ kid: string; schema: string }>(`SELECT database_url_secret->>'kid' AS kid, schema FROM tenants.clients WHERE id = 'store-a'`);
    expect(rows).toEqual([{ kid: 'k1', schema: 'chatbot' }]);

    const { clients, problems } = await loadStoredClients(platform.pool, K1);
    expect(problems).toEqual([]);
    const a = clients.find((c) => c.id === 'store-a')!;
    expect(a.database).toEqual({ url: URL_A, schema: 'chatbot' });
    expect(a).toMatchObject({ apiKey: null, grafanaDatabaseUrl: null, timestampType: null, branding: { primaryColor: '#0f766e', logoUrl: null } });
    expect(clients.find((c) => c.id === 'store-none')!.database).toBeNull();
  });

  it('changes only the given fields; a new URL replaces the stored envelope; disabled clients are not loaded', async () => {
    const before = (await platform.pool.query(`SELECT database_url_secret AS s FROM tenants.clients WHERE id = 'store-a'`)).rows[0].s;
    const renamed = await updateStoredClient(platform.pool, K1, 'store-a', { name: 'Renamed' });
    expect(renamed).toMatchObject({ name: 'Renamed', timezone: 'Australia/Sydney', hasDatabase: true });
    expect((await platform.pool.query(`SELECT database_url_secret AS s FROM tenants.clients WHERE id = 'store-a'`)).rows[0].s).toEqual(before);

    await updateStoredClient(platform.pool, K1, 'store-a', { database: { url: URL_B, schema: 'public' } });
    expect((await loadStoredClients(platform.pool, K1)).clients.find((c) => c.id === 'store-a')!.database).toEqual({ url: URL_B, schema: 'public' });

    await updateStoredClient(platform.pool, K1, 'store-none', { disabled: true });
    expect((await loadStoredClients(platform.pool, K1)).clients.map((c) => c.id)).toEqual(['store-a']);
    expect((await storedClient(platform.pool, 'store-none'))!.disabled).toBe(true);
    expect(await updateStoredClient(platform.pool, K1, 'nobody', { name: 'x' })).toBeNull();
  });

  it('refuses to store a URL without a master key (and stores a client without one)', async () => {
    await expect(createStoredClient(platform.pool, null, newClient('store-nokey', URL_A))).rejects.toThrow(EncryptionNotConfiguredError);
    await expect(createStoredClient(platform.pool, null, newClient('store-nokey', URL_A))).rejects.toThrow(/ENCRYPTION_KEYS/);
    expect(await storedClient(platform.pool, 'store-nokey')).toBeNull();
    expect(await createStoredClient(platform.pool, null, newClient('store-nokey', null))).toMatchObject({ hasDatabase: false });
    expect(await deleteStoredClient(platform.pool, 'store-nokey')).toBe(true);
    expect(await deleteStoredClient(platform.pool, 'store-nokey')).toBe(false);
  });

  it('reports a value under a key that was removed, naming the key id, and loads every other client', async () => {
    await createStoredClient(platform.pool, new SecretBox([key('old')]), newClient('store-old', URL_A));
    const { clients, problems } = await loadStoredClients(platform.pool, K1);
    expect(problems).toEqual([{ clientId: 'store-old', message: 'its database URL cannot be decrypted: encrypted under key "old", which ENCRYPTION_KEYS does not hold (it holds "k1")' }]);
    const old = clients.find((c) => c.id === 'store-old')!;
    expect(old.database).toBeNull();
    expect(old.databaseProblem).toMatch(/key "old"/);
    expect(clients.find((c) => c.id === 'store-a')!.database).toEqual({ url: URL_B, schema: 'public' });
    // No key at all: every stored URL says so, with its key id.
    expect((await loadStoredClients(platform.pool, null)).problems.map((p) => p.message)).toEqual([
      'its database URL cannot be decrypted: encrypted under key "k1", but ENCRYPTION_KEYS is not set',
      'its database URL cannot be decrypted: encrypted under key "old", but ENCRYPTION_KEYS is not set',
    ]);
  });

  it('rotates every value under the current key, reports what it cannot, and is safe to re-run', async () => {
    await createStoredClient(platform.pool, K1, newClient('store-b', URL_A));
    expect(await secretsByKey(platform.pool)).toEqual({ k1: 2, old: 1 });

    const first = await rotateClientSecrets(platform.pool, K2_THEN_K1);
    expect(first).toEqual({ rotated: 2, current: 0, failed: [{ clientId: 'store-old', message: expect.stringContaining('key "old"') }] });
    expect(await secretsByKey(platform.pool)).toEqual({ k2: 2, old: 1 });
    expect(await rotateClientSecrets(platform.pool, K2_THEN_K1)).toMatchObject({ rotated: 0, current: 2 });

    // The old key can go: the new one alone opens every rotated value.
    const { clients, problems } = await loadStoredClients(platform.pool, K2);
    expect(clients.find((c) => c.id === 'store-a')!.database!.url).toBe(URL_B);
    expect(clients.find((c) => c.id === 'store-b')!.database!.url).toBe(URL_A);
    expect(problems.map((p) => p.clientId)).toEqual(['store-old']);
    expect(await tableText()).not.toContain(CLIENT_DB_PASSWORD);
  });

  it('has a signature that changes with every create, change, disable and removal (it describes the rows, so other replicas can poll it)', async () => {
    let last = await storeSignature(platform.pool);
    const step = async (work: () => Promise<unknown>) => {
      await work();
      const signature = await storeSignature(platform.pool);
      expect(signature).not.toBe(last);
      last = signature;
    };
    await step(() => createStoredClient(platform.pool, K2, newClient('store-sig', null)));
    await step(() => updateStoredClient(platform.pool, K2, 'store-sig', { timezone: 'UTC' }));
    await step(() => updateStoredClient(platform.pool, K2, 'store-sig', { disabled: true }));
    await step(() => deleteStoredClient(platform.pool, 'store-sig'));
    expect((await listStoredClients(platform.pool)).map((c) => c.id)).toEqual(['store-a', 'store-b', 'store-none', 'store-old']);
  });
});

describe('ManagedClients (the registry\'s database source)', () => {
  it('loads enabled stored clients into the registry, the file winning on a shared id, and follows changes by polling', async () => {
    const registry = new ClientRegistry();
    const fileClient = { ...(await loadStoredClients(platform.pool, K2)).clients[0]!, id: 'store-b', name: 'From the file' };
    registry.replace('file', [fileClient]);
    const lines: string[] = [];
    const log = { info: (_d: object, m: string) => lines.push(m), warn: (d: object, m: string) => lines.push(`${JSON.stringify(d)} ${m}`) };
    const managed = new ManagedClients(platform.pool, K2, registry, log, { connectTimeoutMs: 1000, statementTimeoutMs: 1000 });
    await managed.reload('test');
    expect(registry.list().map((c) => c.id).sort()).toEqual(['store-a', 'store-b', 'store-old']);
    expect(registry.get('store-b')!.name).toBe('From the file');
    expect(registry.sourceOf('store-b')).toBe('file');
    expect(registry.sourceOf('store-a')).toBe('database');
    expect(managed.problemOf('store-old')).toMatch(/key "old"/);
    expect(lines.filter((l) => l.includes('store-old'))).toHaveLength(1);
    await managed.reload('again');
    expect(lines.filter((l) => l.includes('store-old'))).toHaveLength(1); // reported once, not at every load

    managed.start(50);
    try {
      await createStoredClient(platform.pool, K2, newClient('store-polled', URL_A));
      await expect.poll(() => registry.get('store-polled')?.database?.url, { timeout: 5000 }).toBe(URL_A);
      await updateStoredClient(platform.pool, K2, 'store-polled', { disabled: true });
      await expect.poll(() => registry.get('store-polled'), { timeout: 5000 }).toBeUndefined();
    } finally {
      await managed.stop();
    }
    expect(lines.join('\n')).not.toContain(CLIENT_DB_PASSWORD);
  });
});

describe('npm run secrets', () => {
  const run = (args: string[], keys: string) => {
    const result = spawnSync('node_modules/.bin/tsx', ['src/cli/secrets.ts', ...args], {
      env: { PATH: process.env.PATH, PLATFORM_DB_URL: platform.url, ENCRYPTION_KEYS: keys }, encoding: 'utf8', timeout: 60_000,
    });
    captureProcessOutput('secrets', result.stdout + result.stderr);
    return result;
  };

  it('rotate re-encrypts every value under the first key, says how many, and is safe to re-run', async () => {
    await platform.pool.query(`DELETE FROM tenants.clients WHERE id = 'store-old'`);
    const keys = `k1:${MASTER_KEYS.k1},k2:${MASTER_KEYS.k2}`;
    expect(run(['status'], keys).stdout).toBe('3 encrypted value(s): 3 under "k2"\n');
    const first = run(['rotate'], keys);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toBe('re-encrypted 3 value(s) under key "k1"; 0 already under it\n');
    const again = run(['rotate'], keys);
    expect(again.stdout).toBe('re-encrypted 0 value(s) under key "k1"; 3 already under it\n');
    expect(run(['status'], keys).stdout).toBe('3 encrypted value(s): 3 under "k1" (current)\n');
    expect((await loadStoredClients(platform.pool, K1)).problems).toEqual([]);
  });

  it('fails naming the key a value needs, and refuses without keys or with a bad one', async () => {
    const onlyK2 = run(['rotate'], `k2:${MASTER_KEYS.k2}`);
    expect(onlyK2.status).toBe(1);
    expect(onlyK2.stderr).toMatch(/^client "store-a": encrypted under key "k1", which ENCRYPTION_KEYS does not hold \(it holds "k2"\)$/m);
    expect(run(['rotate'], '').stderr).toMatch(/ENCRYPTION_KEYS is not set/);
    const bad = run(['rotate'], 'k1:short');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('ENCRYPTION_KEYS: key "k1" is not 32 bytes of base64');
    expect(run(['sideways'], `k1:${MASTER_KEYS.k1}`).stderr).toMatch(/usage: npm run secrets/);
  });
});
