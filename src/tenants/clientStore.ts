import { DEFAULT_COLOR, type ClientConfig, type ClientDatabase } from '../config/clients.ts';
import type { Queryable } from '../db/queryable.ts';
import { inTransaction, type ConnectionSource } from '../db/transaction.ts';
import { EncryptionNotConfiguredError, noKeysError, SecretError, type SecretBox } from '../platform/secrets.ts';

/**
 * Clients managed in the product, in the platform database (`tenants.clients`). The database URL is stored only as
 * an envelope (src/platform/secrets.ts) bound to the client's id; it is decrypted into the `ClientConfig` the
 * registry holds and never leaves this module otherwise. Rows here never see the registry file: the caller keeps
 * the file's ids out.
 */
export interface StoredClient {
  id: string;
  name: string;
  domain: string | null;
  timezone: string;
  branding: { primaryColor: string; logoUrl: string | null };
  grafanaOrgId: number | null;
  disabled: boolean;
  hasDatabase: boolean;
  createdAt: string;
  updatedAt: string;
}

interface ClientRow extends Omit<StoredClient, 'branding' | 'hasDatabase'> {
  branding: { primaryColor?: string; logoUrl?: string | null };
  secret: unknown;
  schema: string;
}

export interface ClientFields {
  name: string;
  domain: string | null;
  timezone: string;
  branding: { primaryColor: string; logoUrl: string | null };
  grafanaOrgId: number | null;
}

export interface NewClient extends ClientFields {
  id: string;
  database: ClientDatabase | null;
}

/** Omitted fields keep their value; `database: null` forgets the stored URL. */
export type ClientChange = Partial<ClientFields & { database: ClientDatabase | null; disabled: boolean }>;

/** A stored client whose database URL cannot be opened, and why (names the key id, never a key or the URL). */
export interface ClientProblem {
  clientId: string;
  message: string;
}

const instant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const SELECT = `SELECT id, name, domain, timezone, branding, grafana_org_id AS "grafanaOrgId", disabled_at IS NOT NULL AS disabled,
       database_url_secret AS secret, schema, ${instant('created_at')} AS "createdAt", ${instant('updated_at')} AS "updatedAt"
  FROM tenants.clients`;

/** What the URL's ciphertext is bound to: moved to another row, it no longer opens. */
const secretContext = (clientId: string) => `tenants.clients/${clientId}/database_url`;

function seal(box: SecretBox | null, clientId: string, database: ClientDatabase | null): string | null {
  if (!database) return null;
  if (!box) throw new EncryptionNotConfiguredError();
  return JSON.stringify(box.seal(database.url, secretContext(clientId)));
}

const toStored = ({ secret, schema: _schema, branding, ...row }: ClientRow): StoredClient => ({
  ...row,
  branding: { primaryColor: branding.primaryColor ?? DEFAULT_COLOR, logoUrl: branding.logoUrl ?? null },
  hasDatabase: secret !== null,
});

export async function listStoredClients(db: Queryable): Promise<StoredClient[]> {
  const { rows } = await db.query<ClientRow>(`${SELECT} ORDER BY id`);
  return rows.map(toStored);
}

export async function storedClient(db: Queryable, id: string): Promise<StoredClient | null> {
  const { rows } = await db.query<ClientRow>(`${SELECT} WHERE id = $1`, [id]);
  return rows[0] ? toStored(rows[0]) : null;
}

/** Creates a client; null when the id is taken. Throws `EncryptionNotConfiguredError` for a URL without a key. */
export async function createStoredClient(db: Queryable, box: SecretBox | null, client: NewClient): Promise<StoredClient | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO tenants.clients (id, name, domain, timezone, branding, grafana_org_id, database_url_secret, schema)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [client.id, client.name, client.domain, client.timezone, JSON.stringify(client.branding), client.grafanaOrgId,
      seal(box, client.id, client.database), client.database?.schema ?? 'public'],
  );
  return rows[0] ? storedClient(db, client.id) : null;
}

/** Changes the given fields (a new URL replaces the stored secret); null when there is no such client. */
export async function updateStoredClient(db: Queryable, box: SecretBox | null, id: string, change: ClientChange): Promise<StoredClient | null> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (change.name !== undefined) set('name', change.name);
  if (change.domain !== undefined) set('domain', change.domain);
  if (change.timezone !== undefined) set('timezone', change.timezone);
  if (change.branding !== undefined) set('branding', JSON.stringify(change.branding));
  if (change.grafanaOrgId !== undefined) set('grafana_org_id', change.grafanaOrgId);
  if (change.database !== undefined) {
    set('database_url_secret', seal(box, id, change.database));
    set('schema', change.database?.schema ?? 'public');
  }
  if (change.disabled !== undefined) sets.push(`disabled_at = ${change.disabled ? 'COALESCE(disabled_at, now())' : 'NULL'}`);
  sets.push('updated_at = now()');
  const { rows } = await db.query<{ id: string }>(`UPDATE tenants.clients SET ${sets.join(', ')} WHERE id = $1 RETURNING id`, values);
  return rows[0] ? storedClient(db, id) : null;
}

export async function deleteStoredClient(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('DELETE FROM tenants.clients WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}

/**
 * Changes whenever any stored client does (created, changed, disabled, removed): cheap to ask every few seconds.
 * Every row's own `updated_at` is in it, so a change that commits late (an older timestamp) is seen too.
 */
export async function storeSignature(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ n: number; digest: string }>(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(id || '@' || updated_at::text, ',' ORDER BY id), '')) AS digest FROM tenants.clients`,
  );
  return `${rows[0]!.n}:${rows[0]!.digest}`;
}

function toConfig(row: ClientRow, box: SecretBox | null): { client: ClientConfig; problem: string | null } {
  let database: ClientDatabase | null = null;
  let problem: string | null = null;
  if (row.secret !== null) {
    try {
      if (!box) throw noKeysError(row.secret);
      database = { url: box.open(row.secret, secretContext(row.id)), schema: row.schema };
    } catch (error) {
      if (!(error instanceof SecretError)) throw error;
      problem = `its database URL cannot be decrypted: ${error.message}`;
    }
  }
  const { branding } = toStored(row);
  const client: ClientConfig = {
    id: row.id, name: row.name, database, grafanaOrgId: row.grafanaOrgId, domain: row.domain, timezone: row.timezone,
    timestampType: null, branding, apiKey: null, grafanaDatabaseUrl: null, ...(problem ? { databaseProblem: problem } : {}),
  };
  return { client, problem };
}

/** The stored client's database, decrypted (for testing a saved client's connection); a problem when it cannot be. */
export async function storedDatabase(db: Queryable, box: SecretBox | null, id: string): Promise<{ database: ClientDatabase | null; problem: string | null } | null> {
  const { rows } = await db.query<ClientRow>(`${SELECT} WHERE id = $1`, [id]);
  if (!rows[0]) return null;
  const { client, problem } = toConfig(rows[0], box);
  return { database: client.database, problem };
}

/**
 * The enabled clients as the registry holds them, their URLs decrypted. A client whose URL cannot be decrypted is
 * kept without a database (its endpoints answer 503 saying why) and reported; the others are unaffected.
 */
export async function loadStoredClients(db: Queryable, box: SecretBox | null): Promise<{ clients: ClientConfig[]; problems: ClientProblem[] }> {
  const { rows } = await db.query<ClientRow>(`${SELECT} WHERE disabled_at IS NULL ORDER BY id`);
  const clients: ClientConfig[] = [];
  const problems: ClientProblem[] = [];
  for (const row of rows) {
    const { client, problem } = toConfig(row, box);
    clients.push(client);
    if (problem) problems.push({ clientId: row.id, message: problem });
  }
  return { clients, problems };
}

export interface RotationReport {
  /** Values whose data key was wrapped again, under the current key. */
  rotated: number;
  /** Values already under the current key (a second run finds every value here). */
  current: number;
  failed: ClientProblem[];
}

/**
 * Re-wraps every stored value under the current master key (`ENCRYPTION_KEYS`' first), in one transaction, each
 * checked to open under it before it is written. Values under a key that is no longer configured are reported and
 * left as they are. Safe to re-run, and beside running replicas (the values they hold decrypted do not change).
 */
export async function rotateClientSecrets(db: ConnectionSource, box: SecretBox): Promise<RotationReport> {
  return inTransaction(db, async (tx) => {
    const { rows } = await tx.query<{ id: string; secret: unknown }>(
      'SELECT id, database_url_secret AS secret FROM tenants.clients WHERE database_url_secret IS NOT NULL ORDER BY id FOR UPDATE',
    );
    const report: RotationReport = { rotated: 0, current: 0, failed: [] };
    for (const row of rows) {
      try {
        if (box.isCurrent(row.secret)) {
          box.open(row.secret, secretContext(row.id));
          report.current++;
          continue;
        }
        const rewrapped = box.rewrap(row.secret);
        box.open(rewrapped, secretContext(row.id));
        await tx.query('UPDATE tenants.clients SET database_url_secret = $2 WHERE id = $1', [row.id, JSON.stringify(rewrapped)]);
        report.rotated++;
      } catch (error) {
        if (!(error instanceof SecretError)) throw error;
        report.failed.push({ clientId: row.id, message: error.message });
      }
    }
    return report;
  });
}

/** How many stored values each master key wraps (`npm run secrets -- status`). */
export async function secretsByKey(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query<{ kid: string | null; n: number }>(
    `SELECT database_url_secret->>'kid' AS kid, count(*)::int AS n FROM tenants.clients WHERE database_url_secret IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.kid ?? '(malformed)', r.n]));
}
