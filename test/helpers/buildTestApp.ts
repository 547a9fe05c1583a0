import type { ClientConfig } from '../../src/tenants/clientConfig.ts';
import { buildApp } from '../../src/http/app.ts';
import { ClientDatabases } from '../../src/tenants/clientDatabases.ts';
import { capturedLogger } from './logCapture.ts';
import type { ResultCache } from '../../src/cache/resultCache.ts';
import type { RollupReader } from '../../src/rollups/rollupReader.ts';
import type { DbSettings } from '../../src/config/loadConfig.ts';
import type { LimitsConfig } from '../../src/config/limits.ts';

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
    timestampType: 'timestamp',
    branding: { primaryColor: '#123456', logoUrl: null },
  };
}

export const SESSION_SECRET = 'test-session-secret-0123456789abcdef';

/**
 * The real app with real pools, configured in code instead of the environment; closes pools with the app. It logs
 * like production (into test-artifacts/logs, scanned for secrets after the run).
 */
export async function buildTestApp(
  clients: ClientConfig[],
  keys: { admin?: string | null; clients?: Record<string, string> } = {},
  grafanaUrl: string | null = null,
  db: Partial<DbSettings> = {},
  limits: Partial<LimitsConfig> = {},
  cache: ResultCache | null = null,
  rollups: RollupReader | null = null,
) {
  const settings = { poolMax: 3, connectTimeoutMs: 1000, statementTimeoutMs: 5000, idleTimeoutMs: 5000, ...db };
  const log = capturedLogger();
  const databases = ClientDatabases.fromClients(clients, settings, log);
  const app = await buildApp({
    clients: new Map(clients.map((c) => [c.id, c])),
    databases,
    keys: { adminApiKey: keys.admin ?? null, clientApiKeys: new Map(Object.entries(keys.clients ?? {})) },
    demo: false,
    now: () => new Date('2024-04-08T02:00:00Z'),
    session: { secret: SESSION_SECRET, secureCookies: false },
    limits: { requestsPerMinute: 100_000, loginAttemptsPerMinute: 10_000, corsOrigins: [], trustProxy: false, ...limits },
    production: false,
    cache,
    rollups,
    grafana: { url: grafanaUrl, operatorLogin: 'admin' },
  }, { loggerInstance: log });
  app.addHook('onClose', async () => {
    await databases.close();
    await cache?.close();
  });
  return app;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
