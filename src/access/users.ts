import type { Queryable } from '../db/queryable.ts';
import type { ClientRole, Role } from './principal.ts';

/** A person, as the platform database holds them (never with the password hash outside this module's callers). */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  allClients: boolean;
  disabled: boolean;
  /** Client id → role there: a member's one client, or an operator's assigned ones. */
  clients: Record<string, ClientRole>;
  createdAt: string;
  hasPassword: boolean;
}

interface UserRow extends Omit<User, 'clients'> {
  clients: Record<string, ClientRole> | null;
  passwordHash: string | null;
}

const SELECT = `SELECT u.id, u.email, u.name, u.role, u.all_clients AS "allClients", u.disabled_at IS NOT NULL AS disabled,
       to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt",
       u.password_hash IS NOT NULL AS "hasPassword", u.password_hash AS "passwordHash",
       (SELECT jsonb_object_agg(c.client_id, c.client_role) FROM access.user_clients c WHERE c.user_id = u.id) AS clients
  FROM access.users u`;

const toUser = ({ passwordHash: _hash, ...row }: UserRow): User => ({ ...row, clients: row.clients ?? {} });

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export async function listUsers(db: Queryable): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`${SELECT} ORDER BY lower(u.email)`);
  return rows.map(toUser);
}

export async function userById(db: Queryable, id: string): Promise<User | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await db.query<UserRow>(`${SELECT} WHERE u.id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** The person and their password hash, for signing in. */
export async function userWithHashByEmail(db: Queryable, email: string): Promise<{ user: User; passwordHash: string | null } | null> {
  if (email.includes('\u0000')) return null; // no address holds one (PostgreSQL text cannot), so no one has it
  const { rows } = await db.query<UserRow>(`${SELECT} WHERE lower(u.email) = $1`, [normaliseEmail(email)]);
  return rows[0] ? { user: toUser(rows[0]), passwordHash: rows[0].passwordHash } : null;
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM access.users');
  return rows[0]!.n;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  allClients: boolean;
  clients: Record<string, ClientRole>;
  passwordHash: string | null;
}

/** Creates a person; null when the email is taken (case-insensitively). One statement, so it is atomic. */
export async function createUser(db: Queryable, user: NewUser): Promise<User | null> {
  const { rows } = await db.query<{ id: string }>(
    `WITH created AS (
       INSERT INTO access.users (email, name, role, all_clients, password_hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (lower(email)) DO NOTHING RETURNING id
     ), assigned AS (
       INSERT INTO access.user_clients (user_id, client_id, client_role)
       SELECT created.id, c.key, c.value FROM created, jsonb_each_text($6::jsonb) AS c
     )
     SELECT id FROM created`,
    [normaliseEmail(user.email), user.name, user.role, user.allClients, user.passwordHash, JSON.stringify(user.clients)],
  );
  return rows[0] ? userById(db, rows[0].id) : null;
}

export interface UserChange {
  name?: string;
  role?: Role;
  allClients?: boolean;
  clients?: Record<string, ClientRole>;
  disabled?: boolean;
}

/**
 * With `keepAnAdmin`, a statement changes nothing when no other admin could still sign in. It locks every active
 * admin first, so two such changes at the same moment (two admins demoting each other) are decided one after the
 * other, and the second sees the first.
 */
const ADMINS_LOCKED = `WITH admins AS (SELECT id FROM access.users WHERE role = 'admin' AND disabled_at IS NULL AND $KEEP::boolean FOR UPDATE)`;
const ANOTHER_ADMIN = `(NOT $KEEP::boolean OR (SELECT count(*) FROM admins WHERE admins.id <> $1) > 0)`;
const guarded = (sql: string, keep: string) => sql.replaceAll('$KEEP', () => keep);

/** Null when there is no such person, or (with `keepAnAdmin`) when the change would leave no admin. */
export async function updateUser(db: Queryable, id: string, change: UserChange, options: { keepAnAdmin?: boolean } = {}): Promise<User | null> {
  const { rows } = await db.query<{ id: string }>(
    guarded(`${ADMINS_LOCKED}
     UPDATE access.users SET name = COALESCE($2, name), role = COALESCE($3, role), all_clients = COALESCE($4, all_clients),
            disabled_at = CASE WHEN $5::boolean IS NULL THEN disabled_at WHEN $5 THEN COALESCE(disabled_at, now()) END,
            updated_at = now()
      WHERE id = $1 AND ${ANOTHER_ADMIN} RETURNING id`, '$6'),
    [id, change.name ?? null, change.role ?? null, change.allClients ?? null, change.disabled ?? null, options.keepAnAdmin ?? false],
  );
  if (!rows[0]) return null;
  if (change.clients) {
    // One statement: the clients no longer held go, the others are upserted (a CTE's DELETE and INSERT of the same
    // key would collide, as they see the same snapshot).
    await db.query(
      `WITH wanted AS (SELECT c.key AS client_id, c.value AS client_role FROM jsonb_each_text($2::jsonb) AS c),
            gone AS (DELETE FROM access.user_clients u WHERE u.user_id = $1 AND u.client_id NOT IN (SELECT client_id FROM wanted))
       INSERT INTO access.user_clients (user_id, client_id, client_role) SELECT $1, client_id, client_role FROM wanted
       ON CONFLICT (user_id, client_id) DO UPDATE SET client_role = EXCLUDED.client_role`,
      [id, JSON.stringify(change.clients)],
    );
  }
  return userById(db, id);
}

export async function setPasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE access.users SET password_hash = $2, updated_at = now() WHERE id = $1', [id, passwordHash]);
}

/** False when there is no such person, or (with `keepAnAdmin`) when they are the last admin who can sign in. */
export async function deleteUser(db: Queryable, id: string, options: { keepAnAdmin?: boolean } = {}): Promise<boolean> {
  const { rows } = await db.query(
    guarded(`${ADMINS_LOCKED}
     DELETE FROM access.users u WHERE u.id = $1 AND (u.role <> 'admin' OR u.disabled_at IS NOT NULL OR ${ANOTHER_ADMIN}) RETURNING u.id`, '$2'),
    [id, options.keepAnAdmin ?? false],
  );
  return rows.length > 0;
}

/** How many admins can still sign in: the last one may not be removed, demoted or disabled. */
export async function activeAdmins(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM access.users WHERE role = 'admin' AND disabled_at IS NULL");
  return rows[0]!.n;
}

/**
 * Changes whenever who may see what changes — a person added, removed, disabled or re-enabled, their role, clients,
 * email or name — and not on sign-ins or password changes: one cheap query that replicas poll (Grafana follows it).
 */
export async function accessSignature(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ n: number; digest: string }>(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(concat_ws('/', u.id, u.role, u.all_clients, u.disabled_at IS NULL, u.email, u.name,
              (SELECT string_agg(c.client_id, ',' ORDER BY c.client_id) FROM access.user_clients c WHERE c.user_id = u.id)), ',' ORDER BY u.id), '')) AS digest
       FROM access.users u`,
  );
  return `${rows[0]!.n}:${rows[0]!.digest}`;
}
