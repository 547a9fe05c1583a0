import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseClients, type ClientConfig } from '../tenants/clientConfig.ts';
import { parseLimits, type LimitsConfig } from './limits.ts';
import { parsePlatformConfig, type PlatformConfig } from './platform.ts';
import { parseCache, type CacheConfig } from './cache.ts';
import { parseGrafanaConfig, readSessionSecret, type GrafanaConfig } from './grafana.ts';
import { clientKeyVariable, ConfigError, Problems, readBool, readInt, readString, type Env } from './env.ts';

export interface DbSettings {
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface AppConfig {
  port: number;
  host: string;
  production: boolean;
  logLevel: string;
  /** Serve every client from the embedded demo database. */
  demo: boolean;
  adminApiKey: string | null;
  /** Client id → its own API key (from `<ID>_API_KEY`). */
  clientApiKeys: Map<string, string>;
  db: DbSettings;
  shutdownTimeoutMs: number;
  clients: ClientConfig[];
  grafana: GrafanaConfig;
  limits: LimitsConfig;
  /** The platform's own database (rollups) and the rollup refresher. */
  platform: PlatformConfig;
  cache: CacheConfig;
  /** Signs browser session cookies. */
  sessionSecret: string;
}

export { ConfigError } from './env.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Turns the environment and the client registry into one typed object, or fails listing every bad key. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems = new Problems();
  const production = env.NODE_ENV === 'production';
  const clientsFile = resolve(readString(env, 'CLIENTS_FILE') ?? 'config/clients.json');
  const clients = parseClients(readJson(clientsFile, problems), env, problems);

  const logLevel = readString(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.add('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const adminApiKey = readApiKey(env, 'ADMIN_API_KEY', problems);
  if (production && !adminApiKey) problems.add('ADMIN_API_KEY', 'is required when NODE_ENV=production');
  const clientApiKeys = new Map<string, string>();
  for (const client of clients) {
    const key = readApiKey(env, clientKeyVariable(client.id), problems);
    if (key) clientApiKeys.set(client.id, key);
  }

  const demoFlag = readBool(env, 'DEMO', problems);
  const noDatabases = clients.every((client) => client.database === null);
  const config: AppConfig = {
    port: readInt(env, 'PORT', 3001, 0, 65535, problems),
    host: readString(env, 'HOST') ?? '0.0.0.0',
    production,
    logLevel,
    // A fresh machine gets demo data; production never falls into it by accident.
    demo: demoFlag ?? (!production && noDatabases),
    adminApiKey,
    clientApiKeys,
    db: {
      poolMax: readInt(env, 'DB_POOL_MAX', 5, 1, 100, problems),
      connectTimeoutMs: readInt(env, 'DB_CONNECT_TIMEOUT_MS', 3000, 100, 60000, problems),
      statementTimeoutMs: readInt(env, 'DB_STATEMENT_TIMEOUT_MS', 15000, 100, 600000, problems),
      idleTimeoutMs: readInt(env, 'DB_IDLE_TIMEOUT_MS', 30000, 1000, 3600000, problems),
    },
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 100, 120000, problems),
    clients,
    grafana: parseGrafanaConfig(env, clients, problems),
    limits: parseLimits(env, problems),
    platform: parsePlatformConfig(env, problems),
    cache: parseCache(env, problems),
    sessionSecret: readSessionSecret(env, production, problems),
  };
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return config;
}

function readJson(path: string, problems: Problems): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    problems.add('CLIENTS_FILE', `cannot read ${path}`);
    return {};
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.add('CLIENTS_FILE', `${path} is not valid JSON (${(error as Error).message})`);
    return {};
  }
}

function readApiKey(env: Env, key: string, problems: Problems): string | null {
  const value = readString(env, key);
  if (value === undefined) return null;
  if (value.length < 16) problems.add(key, 'must be at least 16 characters');
  return value;
}
