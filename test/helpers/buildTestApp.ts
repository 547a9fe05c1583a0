import type { ClientConfig } from '../../src/config/clients.ts';
import { buildApp } from '../../src/http/app.ts';
import { capturedLogger } from './logCapture.ts';
import type { ResultCache } from '../../src/cache/resultCache.ts';
import { loadConfig, type AppConfig, type DbSettings } from '../../src/config/loadConfig.ts';
import type { LimitsConfig } from '../../src/config/limits.ts';
import type { JobsConfig } from '../../src/config/jobs.ts';
import type { NotifyConfig } from '../../src/config/notify.ts';
import type { MasterKey } from '../../src/config/secrets.ts';
import type { SsoConfig } from '../../src/config/sso.ts';
import type { PlatformDatabase } from '../../src/platform/platformDatabase.ts';
import { startRuntime, type Runtime } from '../../src/main/runtime.ts';
import { asPlatformDatabase, createTestDatabase } from './testDatabase.ts';

export const KEYS = {
  admin: 'admin-key-0123456789abcdef',
  alpha: 'alpha-key-0123456789abcdef',
  beta: 'beta-key-0123456789abcdef',
};

export function testClient(id: string, timezone: string, url: string | null, schema = 'public'): ClientConfig {
  return {
    id,
    name: `Client ${id}`,
    database: url ? { url, schema } : null,
    grafanaOrgId: null,
    domain: `${id}.example.com`,
    timezone,
    timestampType: null,
    branding: { primaryColor: '#123456', logoUrl: null },
    apiKey: null,
    grafanaDatabaseUrl: null,
  };
}

export const SESSION_SECRET = 'test-session-secret-0123456789abcdef';

export interface TestAppOptions {
  admin?: string | null;
  /** Client id → its `<ID>_API_KEY`. */
  clients?: Record<string, string>;
  grafanaUrl?: string | null;
  /** `GRAFANA_ADMIN_PASSWORD` (admin user `admin`): people's own Grafana users are then made and synced. */
  grafanaAdminPassword?: string;
  /** How often the runtime polls people's access for Grafana (default 0: never; tests sync when they ask). */
  grafanaPeoplePollMs?: number;
  db?: Partial<DbSettings>;
  limits?: Partial<LimitsConfig>;
  cache?: ResultCache | null;
  /** A platform database whose rollups answer counts; by default a fresh one of the app's own (accounts, no rollups). */
  platform?: PlatformDatabase;
  /** The rollup refresher's interval (default 0: refresh only when the test asks). */
  rollupRefreshSeconds?: number;
  /** Collects every log line the app writes (they still go to the scanned capture file too). */
  logLines?: string[];
  /** `ENCRYPTION_KEYS` (default none: with the real platform database no database URL can be saved in the product). */
  encryptionKeys?: MasterKey[];
  /** Single sign-on (needs `publicUrl`, the origin the provider sends browsers back to). */
  sso?: SsoConfig;
  publicUrl?: string;
  /** Email: `smtpUrl` (a test's own SMTP server) and `mailFrom`; default: no SMTP, the outbox only. */
  notify?: Partial<NotifyConfig>;
  /** `METRICS_TOKEN` (default none). */
  metricsToken?: string;
  /** Job settings, e.g. `{ work: false }` (`JOBS_WORK=0`: an API replica that queues jobs but takes none, runs no cron). */
  jobs?: Partial<JobsConfig>;
}

/** Test settings: short timeouts, a generous budget, everything else as `loadConfig` defaults it. */
export function testConfig(clients: ClientConfig[], options: TestAppOptions = {}): AppConfig {
  const base = loadConfig({ CACHE: '0', LOG_LEVEL: 'debug' });
  return {
    ...base,
    clients: clients.map((c) => ({ ...c, apiKey: options.clients?.[c.id] ?? c.apiKey })),
    adminApiKey: options.admin ?? null,
    db: { ...base.db, poolMax: 3, connectTimeoutMs: 1000, statementTimeoutMs: 5000, idleTimeoutMs: 5000, maxConnectionsPerServer: 20, acquireTimeoutMs: 3000, ...options.db },
    limits: { requestsPerMinute: 100_000, loginAttemptsPerMinute: 10_000, corsOrigins: [], trustProxy: false, ...options.limits },
    sessionSecret: SESSION_SECRET,
    grafana: { ...base.grafana, url: options.grafanaUrl ?? null, adminUser: 'admin', adminPassword: options.grafanaAdminPassword ?? null, syncOnStart: false },
    platform: { ...base.platform, rollups: Boolean(options.platform), rollupRefreshSeconds: options.rollupRefreshSeconds ?? 0 },
    demo: false,
    secrets: { keys: options.encryptionKeys ?? [] },
    access: { ...base.access, publicUrl: options.publicUrl ?? base.access.publicUrl },
    sso: options.sso ?? null,
    notify: { ...base.notify, ...options.notify },
    jobs: { ...base.jobs, pollMs: 500, ...options.jobs }, // a job a test sends is taken within half a second
    metrics: { token: options.metricsToken ?? null },
  };
}

const runtimes = new WeakMap<object, Runtime>();

/** The runtime behind an app from `buildTestApp` (its registry, pools, rollups). */
export function runtimeOf(app: object): Runtime {
  return runtimes.get(app)!;
}

/**
 * The real app with the real runtime (registry, pools under a budget, keys), configured in code instead of the
 * environment; everything closes with the app. It logs like production (into test-artifacts/logs, scanned for
 * secrets after the run).
 */
export async function buildTestApp(clients: ClientConfig[], options: TestAppOptions = {}) {
  const log = capturedLogger(options.logLines);
  const own = options.platform ? null : await createTestDatabase('platform');
  const platform = options.platform ?? await asPlatformDatabase(own!);
  const runtime = await startRuntime(testConfig(clients, options), log, { platform, cache: options.cache ?? null, grafanaPeoplePollMs: options.grafanaPeoplePollMs ?? 0 });
  const app = await buildApp(runtime.context(() => new Date('2024-04-08T02:00:00Z')), { loggerInstance: log });
  app.addHook('onClose', async () => {
    await runtime.close();
    await own?.drop();
  });
  runtimes.set(app, runtime);
  return app;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
