import type pg from 'pg';
import type { ClientConfig } from '../src/config/clients.ts';
import { startRollupRefresher } from '../src/rollups/index.ts';
import { ClientDatabases } from '../src/tenants/clientDatabases.ts';
import { ClientRegistry } from '../src/tenants/clientRegistry.ts';
import { clientIdOf, timezoneOf } from './manyData.ts';

/** The in-process benches' log: only errors. */
export const quietLog = { warn: () => {}, info: () => {}, error: (d: object, m: string) => console.error(m, d) };

/**
 * The first `n` clients of a one-schema-per-client data set (the many-clients generator's ids and zones), their pools
 * under a per-server budget of `budget`, and a rollup refresher over them: what the portfolio and alert benches share.
 */
export function schemaClients(url: string, platform: pg.Pool, n: number, budget: number) {
  const clients: ClientConfig[] = Array.from({ length: n }, (_, i) => ({
    id: clientIdOf(i), name: `Client ${i}`, database: { url, schema: clientIdOf(i) }, grafanaOrgId: null, domain: null,
    timezone: timezoneOf(i), timestampType: null, branding: { primaryColor: '#123456', logoUrl: null }, apiKey: null, grafanaDatabaseUrl: null,
  }));
  const registry = new ClientRegistry();
  registry.replace('file', clients);
  const databases = new ClientDatabases(registry, {
    poolMax: 3, maxConnectionsPerServer: budget, acquireTimeoutMs: 60_000, connectTimeoutMs: 5000, statementTimeoutMs: 60_000, idleTimeoutMs: 30_000,
  }, quietLog);
  const refresher = startRollupRefresher({ clientIds: () => clients.map((c) => c.id), databases, platform, intervalMs: 0, log: quietLog });
  return { clients, registry, databases, refresher };
}
