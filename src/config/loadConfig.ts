import { resolve } from 'node:path';
import { readClientsFile, type ClientConfig } from './clients.ts';
import { parseLimits, type LimitsConfig } from './limits.ts';
import { parsePlatformConfig, type PlatformConfig } from './platform.ts';
import { parseCache, type CacheConfig } from './cache.ts';
import { parseAccess, type AccessConfig } from './access.ts';
import { parseSecrets, type SecretsConfig } from './secrets.ts';
import { parseNotify, type NotifyConfig } from './notify.ts';
import { parseSso, type SsoConfig } from './sso.ts';
import { parseJobs, type JobsConfig } from './jobs.ts';
import { parseMetrics, type MetricsConfig } from './metrics.ts';
import { parseLogFormat, type LogFormat } from './logging.ts';
import { parseGrafanaConfig, readSessionSecret, type GrafanaConfig } from './grafana.ts';
import { ConfigError, Problems, readApiKey, readBool, readInt, readString, type Env } from './env.ts';

export interface DbSettings {
  /** Connections one client may hold at once (and so its concurrent queries): a burst queues behind itself. */
  poolMax: number;
  /** Connections this process holds to one PostgreSQL server (host:port), idle ones included, all clients together. */
  maxConnectionsPerServer: number;
  /** Servers that take fewer (the embedded demo server refuses connections over its own limit). */
  serverCapacities?: ReadonlyMap<string, number>;
  /** Longest wait for a connection before DATABASE_BUSY. */
  acquireTimeoutMs: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface AppConfig {
  port: number;
  host: string;
  production: boolean;
  logLevel: string;
  /** `LOG_FORMAT`; null: pretty when stdout is a terminal, JSON otherwise. */
  logFormat: LogFormat | null;
  /** Serve every client from the embedded demo database. */
  demo: boolean;
  adminApiKey: string | null;
  db: DbSettings;
  shutdownTimeoutMs: number;
  /** The client registry file (`CLIENTS_FILE`), watched at runtime, and its clients as read at start-up. */
  clientsFile: string;
  clients: ClientConfig[];
  grafana: GrafanaConfig;
  limits: LimitsConfig;
  /** The platform's own database (rollups) and the rollup refresher. */
  platform: PlatformConfig;
  cache: CacheConfig;
  /** Signs browser session cookies. */
  sessionSecret: string;
  access: AccessConfig;
  /** `ENCRYPTION_KEYS`: master keys for the database URLs of clients managed in the product. */
  secrets: SecretsConfig;
  /** Email: SMTP (or the outbox only) and the sender. */
  notify: NotifyConfig;
  /** Single sign-on with OpenID Connect; null when not configured. */
  sso: SsoConfig | null;
  /** Background jobs: whether this process takes them, poll and supervise intervals. */
  jobs: JobsConfig;
  /** `/metrics` (Prometheus): the bearer token that may read it besides an admin. */
  metrics: MetricsConfig;
}

export { ConfigError } from './env.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Turns the environment and the client registry into one typed object, or fails listing every bad key. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems = new Problems();
  const production = env.NODE_ENV === 'production';
  const clientsFile = resolve(readString(env, 'CLIENTS_FILE') ?? 'config/clients.json');
  const clients = readClientsFile(clientsFile, env, problems);

  const logLevel = readString(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.add('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const adminApiKey = readApiKey(env, 'ADMIN_API_KEY', problems);
  if (production && !adminApiKey && !readString(env, 'ADMIN_EMAIL')) {
    problems.add('ADMIN_API_KEY', 'or ADMIN_EMAIL and ADMIN_PASSWORD is required when NODE_ENV=production');
  }

  const demoFlag = readBool(env, 'DEMO', problems);
  // An empty registry file (every client managed in the product) is no reason for demo data.
  const noDatabases = clients.length > 0 && clients.every((client) => client.database === null);
  const config: AppConfig = {
    port: readInt(env, 'PORT', 3001, 0, 65535, problems),
    host: readString(env, 'HOST') ?? '0.0.0.0',
    production,
    logLevel,
    logFormat: parseLogFormat(env, problems),
    // A fresh machine gets demo data; production never falls into it by accident.
    demo: demoFlag ?? (!production && noDatabases),
    adminApiKey,
    db: {
      poolMax: readInt(env, 'DB_POOL_MAX', 3, 1, 100, problems),
      maxConnectionsPerServer: readInt(env, 'DB_MAX_CONNECTIONS_PER_SERVER', 10, 1, 10_000, problems),
      acquireTimeoutMs: readInt(env, 'DB_ACQUIRE_TIMEOUT_MS', 5000, 10, 120000, problems),
      connectTimeoutMs: readInt(env, 'DB_CONNECT_TIMEOUT_MS', 3000, 100, 60000, problems),
      statementTimeoutMs: readInt(env, 'DB_STATEMENT_TIMEOUT_MS', 15000, 100, 600000, problems),
      idleTimeoutMs: readInt(env, 'DB_IDLE_TIMEOUT_MS', 10000, 100, 3600000, problems),
    },
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 100, 120000, problems),
    clientsFile,
    clients,
    grafana: parseGrafanaConfig(env, problems),
    limits: parseLimits(env, problems),
    platform: parsePlatformConfig(env, problems),
    cache: parseCache(env, problems),
    sessionSecret: readSessionSecret(env, production, problems),
    access: parseAccess(env, problems),
    secrets: parseSecrets(env, problems),
    notify: parseNotify(env, production, problems),
    sso: parseSso(env, problems),
    jobs: parseJobs(env, problems),
    metrics: parseMetrics(env, problems),
  };
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return config;
}
