import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { SCHEMA_NAME } from '../db/identifiers.ts';
import { clientGrafanaDbVariable, clientKeyVariable, readApiKey, readString, type Env, type Problems } from './env.ts';
import { canonicalTimeZone } from './timezone.ts';

export const CLIENT_ID = '^[a-z0-9-]+$';
/** First path segments the product itself uses: a client so named would lose `/<id>/dashboard` to them. */
export const RESERVED_CLIENT_IDS: ReadonlySet<string> = new Set([
  'api', 'assets', 'auth', 'clients', 'docs', 'grafana', 'health', 'invitations', 'login', 'logout', 'metrics', 'openapi',
  'password-reset', 'ready', 'settings', 'static',
]);
/** Why `id` cannot name a client, or null. */
export function clientIdProblem(id: string): string | null {
  if (!new RegExp(CLIENT_ID).test(id)) return 'client id must match [a-z0-9-]+';
  if (RESERVED_CLIENT_IDS.has(id)) return `"${id}" is reserved (the product uses /${id}/)`;
  return null;
}
export const COLOR = '^#[0-9a-fA-F]{6}$';
export const DEFAULT_COLOR = '#2563eb';

const ClientEntry = Type.Object(
  {
    id: Type.String({ pattern: CLIENT_ID, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    dbUrl: Type.String({ maxLength: 2000 }),
    grafanaOrgId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    domain: Type.Optional(Type.Union([Type.String({ maxLength: 253 }), Type.Null()])),
    timezone: Type.String({ minLength: 1 }),
    timestampType: Type.Optional(Type.Union([Type.Literal('timestamp'), Type.Literal('timestamptz')])),
    branding: Type.Optional(
      Type.Object(
        {
          primaryColor: Type.Optional(Type.String({ pattern: COLOR })),
          logoUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
type ClientEntry = Static<typeof ClientEntry>;

/** Where a client's data lives. `url` is a secret: it is never logged or returned. */
export interface ClientDatabase {
  url: string;
  /** Schema holding the chatbot's tables (Prisma's `?schema=`, default `public`). */
  schema: string;
}

export interface ClientConfig {
  id: string;
  name: string;
  database: ClientDatabase | null;
  grafanaOrgId: number | null;
  domain: string | null;
  timezone: string;
  /** Overrides the detected type of the chatbot's timestamp columns in generated Grafana dashboards (the API always detects). */
  timestampType: 'timestamp' | 'timestamptz' | null;
  branding: { primaryColor: string; logoUrl: string | null };
  /** `<ID>_API_KEY`: the client's legacy key (a secret, never logged or returned). */
  apiKey: string | null;
  /** `<ID>_GRAFANA_DB_URL`: the database URL Grafana's data source uses, ideally a read-only role's (a secret). */
  grafanaDatabaseUrl: string | null;
  /** Why `database` is null although one is stored (a client managed in the product whose URL cannot be decrypted). */
  databaseProblem?: string;
}

const ENV_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Validates the registry (already parsed JSON) and resolves `${ENV}` references; problems are collected, not thrown. */
export function parseClients(raw: unknown, env: Env, problems: Problems): ClientConfig[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.add('clients', 'must be a JSON object keyed by client id');
    return [];
  }
  const clients: ClientConfig[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    const at = `clients.${key}`;
    const idProblem = clientIdProblem(key);
    if (idProblem) problems.add(at, idProblem);
    const errors = [...Value.Errors(ClientEntry, entry)].filter((e) => e.keyword !== 'boolean');
    for (const error of errors) problems.add(`${at}${error.instancePath.replace(/\//g, '.')}`, error.message);
    if (errors.length > 0) continue;
    const client = entry as ClientEntry;
    if (client.id !== key) problems.add(`${at}.id`, `must equal its key "${key}"`);
    const timezone = canonicalTimeZone(client.timezone);
    if (!timezone) problems.add(`${at}.timezone`, `"${client.timezone}" is not an IANA time zone`);
    clients.push({
      id: key,
      name: client.name,
      database: resolveDatabase(client.dbUrl, env, `${at}.dbUrl`, problems),
      grafanaOrgId: client.grafanaOrgId ?? null,
      domain: client.domain ?? null,
      timezone: timezone ?? 'UTC',
      timestampType: client.timestampType ?? null,
      branding: { primaryColor: client.branding?.primaryColor ?? DEFAULT_COLOR, logoUrl: client.branding?.logoUrl ?? null },
      apiKey: readApiKey(env, clientKeyVariable(key), problems),
      grafanaDatabaseUrl: readString(env, clientGrafanaDbVariable(key)) ?? null,
    });
  }
  return clients;
}

/** Reads and validates the registry file (`CLIENTS_FILE`); problems are collected, not thrown. */
export function readClientsFile(path: string, env: Env, problems: Problems): ClientConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    problems.add('CLIENTS_FILE', `cannot read ${path}`);
    return [];
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    problems.add('CLIENTS_FILE', `${path} is not valid JSON (${(error as Error).message})`);
    return [];
  }
  return parseClients(raw, env, problems);
}

/** `${MAPLE_DB_URL}` that is unset means "no database yet" (a fresh machine), not an error. */
function resolveDatabase(value: string, env: Env, at: string, problems: Problems): ClientDatabase | null {
  const reference = ENV_REFERENCE.exec(value.trim());
  const source = reference ? reference[1]! : at;
  const url = reference ? env[reference[1]!]?.trim() : value.trim();
  if (!url) return null;
  return parseDatabaseUrl(url, source, problems);
}

/**
 * A literal `postgres://` / `postgresql://` URL, its Prisma `?schema=` taken out; problems name `source`, never the
 * value (it may hold a password).
 */
export function parseDatabaseUrl(url: string, source: string, problems: Problems): ClientDatabase | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.add(source, 'is not a valid URL'); // never echo the value: it may hold a password
    return null;
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    problems.add(source, 'must be a postgres:// or postgresql:// URL');
    return null;
  }
  try {
    // The driver decodes these: a malformed %-escape would fail every connection instead.
    for (const part of [parsed.username, parsed.password, parsed.pathname]) decodeURIComponent(part);
  } catch {
    problems.add(source, 'has a malformed %-escape');
    return null;
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    problems.add(source, 'its ?schema= is not a valid schema name');
    return null;
  }
  parsed.searchParams.delete('schema'); // Prisma's parameter; pg would not understand it
  return { url: parsed.toString(), schema };
}

/** The URL Grafana's data source for this client uses: its own `<ID>_GRAFANA_DB_URL`, else the client's database. */
export function grafanaDatasourceUrl(client: ClientConfig): string | null {
  return client.grafanaDatabaseUrl ?? client.database?.url ?? null;
}
