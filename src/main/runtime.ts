import type { Logger } from 'pino';
import type { AppConfig } from '../config/loadConfig.ts';
import type { ClientConfig } from '../config/clients.ts';
import { KeyRing } from '../access/apiKeys.ts';
import { createResultCache } from '../cache/createResultCache.ts';
import type { ResultCache } from '../cache/resultCache.ts';
import type { ApiContext } from '../http/context.ts';
import { openPlatformDatabase, type PlatformDatabase } from '../platform/platformDatabase.ts';
import { forgetRollups, RollupReader, startRollupRefresher, type RollupRefresher } from '../rollups/index.ts';
import { ClientDatabases } from '../tenants/clientDatabases.ts';
import { ClientRegistry, databaseMoved, type RegistryChange } from '../tenants/clientRegistry.ts';
import { watchRegistryFile, type RegistryFileWatcher } from '../tenants/registryFile.ts';
import { startDemoDatabase, type DemoDatabase } from './demo.ts';
import { followGrafana } from './grafanaFollower.ts';
import { startAccess } from './access.ts';
import type { Access } from '../access/access.ts';

/** Everything a platform process runs besides HTTP; the API and the tests build it the same way. */
export interface Runtime {
  registry: ClientRegistry;
  databases: ClientDatabases;
  keys: KeyRing;
  access: Access;
  cache: ResultCache | null;
  platform: PlatformDatabase;
  rollups: { reader: RollupReader; refresher: RollupRefresher } | null;
  /** Reads `CLIENTS_FILE` again (SIGHUP); null when the file is not watched. */
  registryFile: RegistryFileWatcher | null;
  demo: DemoDatabase | null;
  context(now?: () => Date): ApiContext;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Watch `CLIENTS_FILE` for changes (the server does; most tests set clients in code). */
  watchRegistryFile?: boolean;
  /** An open platform database to use instead of opening `PLATFORM_DB_URL` (tests hand in their own). */
  platform?: PlatformDatabase;
  /** A result cache to use instead of the configured one (tests share one between two apps). */
  cache?: ResultCache | null;
}

export async function startRuntime(config: AppConfig, log: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const registry = new ClientRegistry((error) => log.error({ err: { type: (error as Error).name } }, `registry listener failed: ${(error as Error).message}`));
  const demo = config.demo ? await startDemoDatabase(log) : null;
  const transform = (clients: ClientConfig[]) => (demo ? demo.transform(clients) : clients);
  if (demo) registry.subscribe((change) => demo.load(change.added));
  registry.replace('file', transform(config.clients));
  await demo?.load(registry.list());
  for (const client of registry.list()) {
    if (!client.database) log.warn({ clientId: client.id }, 'client has no database URL; its endpoints answer 503');
  }

  const db = demo ? { ...config.db, serverCapacities: new Map([demo.server]) } : config.db;
  const databases = new ClientDatabases(registry, db, log);
  const keys = KeyRing.following(config.adminApiKey, registry);
  const cache = options.cache !== undefined ? options.cache : createResultCache(config.cache, log);

  const platform = options.platform ?? await openPlatformDatabase({ ...config.platform, url: config.platform.dbUrl, log });
  if (platform.embedded) log.warn('No PLATFORM_DB_URL: the platform database is embedded and starts empty every time (accounts and rollups too)');
  const rollups = config.platform.rollups ? startRollups(config, registry, databases, platform, log) : null;
  const access = await startAccess(config, platform, keys, log);

  // A client that moved or left: its cached answers and its rollups no longer describe it.
  registry.subscribe(async (change: RegistryChange) => {
    const stale = [...change.removed, ...change.changed.filter((c) => databaseMoved(c.before, c.after)).map((c) => c.after)];
    for (const client of stale) await cache?.dropClient(client.id);
    for (const client of change.removed) await forgetRollups(platform.pool, client.id);
    if (rollups && (change.added.length > 0 || stale.length > 0)) void rollups.refresher.refreshAll();
  });
  const grafana = followGrafana(config, registry, log);

  const registryFile = options.watchRegistryFile
    ? watchRegistryFile({ path: config.clientsFile, env: process.env, registry, log, transform })
    : null;

  return {
    registry, databases, keys, access, cache, platform, rollups, registryFile, demo,
    context: (now = () => new Date()) => ({
      clients: registry,
      databases,
      access,
      platform: platform.pool,
      demo: config.demo,
      now,
      session: { secret: config.sessionSecret, secureCookies: config.production },
      limits: config.limits,
      cache,
      rollups: rollups?.reader ?? null,
      production: config.production,
      publicHost: config.access.publicUrl ? new URL(config.access.publicUrl).host : null,
      sso: null,
      grafana: { url: config.grafana.url, operatorLogin: config.grafana.adminUser },
    }),
    async close() {
      registryFile?.stop();
      await grafana.stop();
      await rollups?.refresher.stop();
      await databases.close();
      await cache?.close();
      if (options.platform === undefined) await platform.close();
      await demo?.stop();
    },
  };
}

/** Rollups kept current by a periodic refresher over the clients the registry holds at each pass. */
function startRollups(config: AppConfig, registry: ClientRegistry, databases: ClientDatabases, platform: PlatformDatabase, log: Logger) {
  const refresher = startRollupRefresher({
    clientIds: () => registry.list().filter((c) => c.database).map((c) => c.id),
    databases,
    platform: platform.pool,
    intervalMs: config.platform.rollupRefreshSeconds * 1000,
    log,
    refresh: { overlapSeconds: config.platform.rollupOverlapSeconds },
  });
  return { reader: new RollupReader(platform.pool, (clientId) => databases.forClient(clientId)), refresher };
}
