import type { Logger } from 'pino';
import type { AppConfig } from '../config/loadConfig.ts';
import type { ClientConfig } from '../tenants/clientConfig.ts';
import { ClientDatabases } from '../tenants/clientDatabases.ts';
import { EMBEDDED_MAX_CONNECTIONS, startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded/startEmbeddedPostgres.ts';
import { loadDemoClients } from '../demo/loadDemo.ts';
import { buildApp } from '../http/app.ts';
import { createLogger } from './logger.ts';
import { createResultCache } from '../cache/createResultCache.ts';
import { RollupReader, startRollupRefresher } from '../rollups/index.ts';
import { openPlatformDatabase, type PlatformDatabase } from '../platform/platformDatabase.ts';
import { isOpen } from '../access/apiKeys.ts';
import { formatReport, syncGrafana } from '../grafana/sync/index.ts';

/** Points every client at its own schema in one embedded PostgreSQL filled with generated data. */
async function startDemo(config: AppConfig, log: Logger): Promise<{ clients: ClientConfig[]; embedded: EmbeddedPostgres }> {
  log.warn('='.repeat(72));
  log.warn('DEMO MODE: no client database is configured (or DEMO=1). Every client is served');
  log.warn('from an embedded PostgreSQL filled with GENERATED DEMO DATA, not real visitors.');
  log.warn('Set <CLIENT>_DB_URL variables (see .env.example) to use real databases.');
  log.warn('='.repeat(72));
  const started = Date.now();
  const embedded = await startEmbeddedPostgres();
  const clients = config.clients.map((client) => ({ ...client, database: { url: embedded.url, schema: client.id } }));
  const loader = new ClientDatabases(new Map(clients.map((c) => [c.id, c.database])), config.db, log);
  try {
    await loadDemoClients(loader.pool(clients[0]!.id), clients.map((c) => ({ id: c.id, timezone: c.timezone, schema: c.id })), {
      log: (message) => log.info(message),
    });
  } finally {
    await loader.close();
  }
  log.warn({ ms: Date.now() - started, clients: clients.map((c) => c.id) }, 'demo data ready (generated, not real)');
  return { clients, embedded };
}

/**
 * Brings Grafana in line after the API is up, so a slow or absent Grafana never delays serving. Org ids Grafana
 * gave that differ from the registry are used for the redirect at once (and logged for clients.json).
 */
async function syncGrafanaInBackground(config: AppConfig, clients: ClientConfig[], log: Logger): Promise<void> {
  try {
    const report = await syncGrafana(config, { log: (message) => log.info(message) });
    for (const line of formatReport(report).split('\n')) log.info(line);
    for (const { clientId, grafanaOrgId } of report.orgIdMismatches) {
      const client = clients.find((c) => c.id === clientId);
      if (client) client.grafanaOrgId = grafanaOrgId;
    }
  } catch (error) {
    log.error({ code: (error as { name?: string }).name }, `Grafana sync failed: ${(error as Error).message}`);
  }
}

/** The platform database with the rollups, kept current by a periodic refresher, and the reader the routes use. */
function startRollups(config: AppConfig, clients: ClientConfig[], databases: ClientDatabases, platform: PlatformDatabase, log: Logger) {
  const refresher = startRollupRefresher({
    clientIds: clients.filter((c) => c.database).map((c) => c.id),
    databases,
    platform: platform.pool,
    intervalMs: config.platform.rollupRefreshSeconds * 1000,
    log,
    refresh: { overlapSeconds: config.platform.rollupOverlapSeconds },
  });
  return {
    reader: new RollupReader(platform.pool, (clientId) => databases.pool(clientId)),
    stop: () => refresher.stop(),
  };
}

/** Starts the API: demo database if needed, pools, HTTP, and a graceful shutdown on SIGTERM/SIGINT. */
export async function startServer(config: AppConfig) {
  const log = createLogger(config.logLevel);
  let clients = config.clients;
  let embedded: EmbeddedPostgres | null = null;
  let db = config.db;
  if (config.demo) {
    ({ clients, embedded } = await startDemo(config, log));
    db = { ...db, poolMax: Math.min(db.poolMax, EMBEDDED_MAX_CONNECTIONS) }; // the embedded server refuses extra connections
  }
  const keys = { adminApiKey: config.adminApiKey, clientApiKeys: config.clientApiKeys };
  if (isOpen(keys)) log.warn('No ADMIN_API_KEY or <CLIENT>_API_KEY is set: the API is OPEN to anyone who can reach it');
  for (const client of clients) {
    if (!client.database) log.warn({ clientId: client.id }, 'client has no database URL; its endpoints answer 503');
  }

  const databases = ClientDatabases.fromClients(clients, db, log);
  const cache = createResultCache(config.cache, log);
  const platform = await openPlatformDatabase({ ...config.platform, url: config.platform.dbUrl, log });
  if (platform.embedded) log.warn('No PLATFORM_DB_URL: the platform database is embedded and starts empty every time (rollups are rebuilt)');
  const rollups = config.platform.rollups ? startRollups(config, clients, databases, platform, log) : null;
  const app = await buildApp(
    {
      clients: new Map(clients.map((c) => [c.id, c])),
      databases,
      keys,
      demo: config.demo,
      now: () => new Date(),
      session: { secret: config.sessionSecret, secureCookies: config.production },
      limits: config.limits,
      cache,
      rollups: rollups?.reader ?? null,
      production: config.production,
      grafana: { url: config.grafana.url, operatorLogin: config.grafana.adminUser },
    },
    { loggerInstance: log },
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    // Keep-alive sockets that finish their last response while we drain would hold close() open until they time
    // out: close each one as soon as it is idle (in-flight requests are never cut).
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    await app.close();
    clearInterval(sweep);
    await rollups?.stop();
    await platform.close();
    await databases.close();
    await cache?.close();
    await embedded?.stop();
    log.info('shutdown complete');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  if (config.grafana.syncOnStart) void syncGrafanaInBackground(config, clients, log);
  return app;
}
