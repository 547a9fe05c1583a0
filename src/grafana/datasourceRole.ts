import type pg from 'pg';
import type { ClientConfig } from '../config/clients.ts';
import { clientGrafanaDbVariable } from '../config/env.ts';
import { quoteIdent } from '../db/identifiers.ts';
import { connectAsDatasource, connectProblem } from './datasourceConnection.ts';
import { CLIENT_TABLES } from '../tenants/clientTables.ts';
import type { DatasourceSettings } from './sync/datasourceSettings.ts';

/**
 * Grafana Viewers can send any SQL to their org's data source, so its database role is the real boundary. This
 * checks, with the data source's own login, that the role can only read: no superuser, nothing beyond SELECT on the
 * chatbot's tables, no CREATE. Roles it may `SET ROLE` to count as its own (a Viewer can run SET ROLE too).
 */
export const ALLOW_WRITABLE_VARIABLE = 'GRAFANA_ALLOW_WRITABLE_DATASOURCE';
const WRITE_PRIVILEGES = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
/** Built-in roles that reach the database server's files or programs, so every database on that server. */
const SERVER_ROLES = ['pg_execute_server_program', 'pg_write_server_files', 'pg_read_server_files'];
const CONNECT_TIMEOUT_MS = 5000;

const MEMBER_OF = `pg_has_role(current_user, m.oid, 'MEMBER')`;
const ROLES_SQL = `
  SELECT current_user::text AS role,
         bool_or(m.rolsuper AND m.rolname = current_user) AS superuser,
         coalesce(array_agg(m.rolname::text ORDER BY m.rolname) FILTER (WHERE m.rolsuper), '{}') AS superusers,
         coalesce(bool_or(m.rolcreaterole), false) AS createrole,
         coalesce(array_agg(m.rolname::text ORDER BY m.rolname) FILTER (WHERE m.rolname = ANY($1::text[])), '{}') AS server_roles
  FROM pg_roles m WHERE ${MEMBER_OF}`;
const TABLES_SQL = `
  SELECT c.relname::text AS "table", array_agg(DISTINCT p.privilege) AS privileges
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN unnest($2::text[]) AS p(privilege)
  WHERE n.nspname = $1 AND c.relname = ANY($3::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND EXISTS (SELECT 1 FROM pg_roles m WHERE ${MEMBER_OF} AND has_table_privilege(m.oid, c.oid, p.privilege))
  GROUP BY c.relname`;
const CREATE_SQL = `
  SELECT current_database()::text AS database,
    EXISTS (SELECT 1 FROM pg_roles m JOIN pg_namespace n ON n.nspname = $1
            WHERE ${MEMBER_OF} AND has_schema_privilege(m.oid, n.oid, 'CREATE')) AS schema_create,
    EXISTS (SELECT 1 FROM pg_roles m WHERE ${MEMBER_OF} AND has_database_privilege(m.oid, current_database(), 'CREATE')) AS database_create`;

export interface RoleVerdict {
  /** The role the data source logs in as, as the database names it. */
  role: string;
  /** Empty when it may only read; each completes "the data source's role "x" …". */
  reasons: string[];
}

/** The check could not run (unreachable, login refused): the role is unknown. The message holds no URL or password. */
export class RoleCheckError extends Error {}

export async function checkDatasourceRole(settings: DatasourceSettings, schema: string, connectTimeoutMs = CONNECT_TIMEOUT_MS): Promise<RoleVerdict> {
  let db: pg.Client;
  try {
    db = await connectAsDatasource(settings, connectTimeoutMs, 'chatbot-analytics-role-check');
  } catch (error) {
    throw new RoleCheckError(connectProblem(error, connectTimeoutMs));
  }
  try {
    return await inspect(db, schema);
  } catch (error) {
    throw new RoleCheckError(`its query failed (${(error as { code?: string }).code ?? 'no code'})`);
  } finally {
    await db.end().catch(() => {});
  }
}

async function inspect(db: pg.Client, schema: string): Promise<RoleVerdict> {
  const roles = (await db.query(ROLES_SQL, [SERVER_ROLES])).rows[0];
  if (roles.superuser) return { role: roles.role, reasons: ['is a superuser'] };
  const reasons: string[] = [];
  if (roles.superusers.length > 0) reasons.push(`can SET ROLE to the superuser "${roles.superusers[0]}"`);
  if (roles.createrole) reasons.push('may create roles (CREATEROLE)');
  if (roles.server_roles.length > 0) reasons.push(`is a member of ${roles.server_roles.join(', ')} (the server's files or programs)`);

  const tables = await db.query<{ table: string; privileges: string[] }>(TABLES_SQL, [schema, WRITE_PRIVILEGES, [...CLIENT_TABLES]]);
  const byPrivileges = new Map<string, string[]>();
  for (const row of tables.rows.sort((a, b) => CLIENT_TABLES.indexOf(a.table as never) - CLIENT_TABLES.indexOf(b.table as never))) {
    const privileges = WRITE_PRIVILEGES.filter((p) => row.privileges.includes(p)).join(', ');
    byPrivileges.set(privileges, [...(byPrivileges.get(privileges) ?? []), quoteIdent(row.table)]);
  }
  for (const [privileges, names] of byPrivileges) reasons.push(`may ${privileges} on ${names.join(', ')}`);

  const create = (await db.query(CREATE_SQL, [schema])).rows[0];
  if (create.schema_create) reasons.push(`may CREATE in schema ${quoteIdent(schema)}`);
  if (create.database_create) reasons.push(`may CREATE schemas in database ${quoteIdent(create.database)}`);
  return { role: roles.role, reasons };
}

/**
 * What sync and provisioning do with a client's data source: `read-only` goes ahead; `accepted` goes ahead with a
 * loud warning (GRAFANA_ALLOW_WRITABLE_DATASOURCE=1); `refused` (not read-only) and `unchecked` (the check could not
 * run) do not. Messages name the variable to set, never its value.
 */
export type RoleDecision =
  | { outcome: 'read-only' }
  | { outcome: 'accepted'; warning: string }
  | { outcome: 'refused' | 'unchecked'; message: string };

export async function judgeDatasourceRole(
  client: ClientConfig,
  settings: DatasourceSettings,
  allowWritable: boolean,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
): Promise<RoleDecision> {
  const variable = clientGrafanaDbVariable(client.id);
  const fallback = client.grafanaDatabaseUrl ? '' : ` (${variable} is not set, so this is the client's own database URL)`;
  const accept = (problem: string): RoleDecision => ({ outcome: 'accepted', warning: `${ALLOW_WRITABLE_VARIABLE}=1 lets this data source through: ${problem}` });
  let verdict: RoleVerdict;
  try {
    verdict = await checkDatasourceRole(settings, client.database?.schema ?? 'public', connectTimeoutMs);
  } catch (error) {
    if (!(error instanceof RoleCheckError)) throw error;
    const problem = `cannot check the data source's role: ${error.message}${fallback}`;
    if (allowWritable) return accept(`UNCHECKED, ${problem}`);
    return { outcome: 'unchecked', message: `${problem}. Check that ${variable} reaches the database from this server, or set ${ALLOW_WRITABLE_VARIABLE}=1 to go on unchecked` };
  }
  if (verdict.reasons.length === 0) return { outcome: 'read-only' };
  const problem = `the data source's role "${verdict.role}" ${verdict.reasons.join('; ')}: Grafana Viewers can run any SQL with it${fallback}`;
  if (allowWritable) return accept(`NOT READ-ONLY, ${problem}`);
  return { outcome: 'refused', message: `${problem}. Set ${variable} to a read-only role's URL (see README), or ${ALLOW_WRITABLE_VARIABLE}=1 to accept the risk` };
}
