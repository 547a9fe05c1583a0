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
import { ManagedClients } from '../tenants/managedClients.ts';
import { SecretBox } from '../platform/secrets.ts';
import { startDemoDatabase, type DemoDatabase } from './demo.ts';
import { followGrafana, PEOPLE_POLL_MS } from './grafanaFollower.ts';
import { startRuntimeJobs } from './jobs.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { GrafanaPeople } from '../grafana/grafanaPeople.ts';
import { startAccess } from './access.ts';
import type { Access } from '../access/access.ts';
import { Mailer } from '../notify/mailer.ts';
import { SingleSignOn } from '../access/sso.ts';
import { PlatformMetrics } from '../metrics/platformMetrics.ts';
import { checkReadiness } from '../platform/readiness.ts';

/** Everything a platform process runs besides HTTP; the API and the tests build it the same way. */
export interface Runtime {
  registry: ClientRegistry;
  databases: ClientDatabases;
  keys: KeyRing;
  access: Access;
  /** Email over SMTP (when configured), every message recorded in the outbox. */
  mailer: Mailer;
  /** OpenID Connect single sign-on; null when not configured. */
  sso: SingleSignOn | null;
  /** People's own Grafana users (the proxy's `ensure`, the follower's sync); null without Grafana admin credentials. */
  grafanaPeople: GrafanaPeople | null;
  cache: ResultCache | null;
  /** The platform's own Prometheus metrics; the jobs module hands in its queue with `metrics.watchJobs`. */
  metrics: PlatformMetrics;
  platform: PlatformDatabase;
  /** Background jobs on the platform database (pg-boss): rollup refreshes, Grafana syncs, and what modules add. */
  jobs: Jobs;
  rollups: { reader: RollupReader; refresher: RollupRefresher } | null;
  /** Reads `CLIENTS_FILE` again (SIGHUP); null when the file is not watched. */
  registryFile: RegistryFileWatcher | null;
  /** The clients managed in the product: the registry's 'database' source, kept in line with the platform database. */
  managedClients: ManagedClients;
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
  /** How often people's access is polled for Grafana (default `PEOPLE_POLL_MS`; 0: never, tests sync when they ask). */
  grafanaPeoplePollMs?: number;
}

export async function startRuntime(config: AppConfig, log: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const registry = new ClientRegistry((error) => log.error({ err: { type: (error as Error).name } }, `registry listener failed: ${(error as Error).message}`));
  const demo = config.demo ? await startDemoDatabase(log) : null;
  const transform = (clients: ClientConfig[]) => (demo ? demo.transform(clients) : clients);
  // Demo data for the file's clients; clients managed in the product keep their own databases.
  if (demo) registry.subscribe((change) => demo.load(change.added.filter((c) => registry.sourceOf(c.id) === 'file')));
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
  const managedClients = new ManagedClients(platform.pool, secretBoxFor(config, platform, log), registry, log, config.db);
  await managedClients.reload('start-up');
  managedClients.start();
  const rollups = config.platform.rollups ? startRollups(config, registry, databases, platform, log) : null;
  const access = await startAccess(config, platform, keys, log);
  const metrics = new PlatformMetrics({ clients: registry, databases, platform: platform.pool, cache });
  const mailer = new Mailer(platform.pool, config.notify, { demo: config.demo, log, deliveries: metrics.deliveries });
  const sso = startSso(config, platform, registry, log);

  const { url: grafanaUrl, adminUser, adminPassword } = config.grafana;
  const grafanaPeople = grafanaUrl && adminPassword
    ? new GrafanaPeople({ url: grafanaUrl, adminUser, adminPassword }, platform.pool, registry, { warn: (message) => log.warn(`Grafana people: ${message}`) })
    : null;
  const runtimeJobs = await startRuntimeJobs(config, log, { registry, databases, platform, rollups, mailer, grafanaPeople, access, cache, managedClients, metrics, demo });
  const { jobs } = runtimeJobs;

  // A client that moved or left: its cached answers and its rollups no longer describe it.
  registry.subscribe(async (change: RegistryChange) => {
    const stale = [...change.removed, ...change.changed.filter((c) => databaseMoved(c.before, c.after)).map((c) => c.after)];
    for (const client of stale) await cache?.dropClient(client.id);
    for (const client of change.removed) await forgetRollups(platform.pool, client.id);
    if (runtimeJobs.rollups && (change.added.length > 0 || stale.length > 0)) await runtimeJobs.rollups.requestPass();
  });
  const grafana = followGrafana(config, registry, log, grafanaPeople, runtimeJobs.grafana, options.grafanaPeoplePollMs ?? PEOPLE_POLL_MS);

  const registryFile = options.watchRegistryFile
    ? watchRegistryFile({ path: config.clientsFile, env: process.env, registry, log, transform })
    : null;

  return {
    registry, databases, keys, access, mailer, sso, grafanaPeople, cache, platform, rollups, registryFile, demo, managedClients, metrics, jobs,
    context: (now = () => new Date()) => ({
      clients: registry,
      databases,
      managedClients,
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
      publicUrl: config.access.publicUrl,
      mailer,
      sso: sso && { label: sso.label, href: '/auth/oidc/start' },
      oidc: sso,
      grafana: { url: config.grafana.url, operatorLogin: config.grafana.adminUser, people: grafanaPeople },
      metrics,
      metricsToken: config.metrics.token,
      readiness: () => checkReadiness({ platform: platform.pool, latestMigration: platform.status.latest, registryLoaded: () => managedClients.loaded }),
    }),
    async close() {
      registryFile?.stop();
      await managedClients.stop();
      await grafana.stop();
      await jobs.stop(); // waits for running jobs, which use the pools and the mailer closed below
      mailer.close();
      await rollups?.refresher.stop();
      await databases.close();
      await cache?.close();
      if (options.platform === undefined) await platform.close();
      await demo?.stop();
    },
  };
}

/** Single sign-on when OIDC_* is set: discovered now in the background, so a wrong issuer shows in the log at once. */
function startSso(config: AppConfig, platform: PlatformDatabase, registry: ClientRegistry, log: Logger): SingleSignOn | null {
  if (!config.sso || !config.access.publicUrl) return null;
  const sso = new SingleSignOn(platform.pool, config.sso, config.access.publicUrl, { knownClient: (id) => registry.get(id) !== undefined });
  sso.check().then(
    () => log.info({ issuer: config.sso!.issuer }, 'single sign-on: provider discovered'),
    (error: Error) => log.warn({ issuer: config.sso!.issuer, detail: (error as { detail?: string }).detail }, `single sign-on: the provider could not be discovered yet (${error.message})`),
  );
  return sso;
}

/**
 * The master keys for stored database URLs: `ENCRYPTION_KEYS`; without it, a key of this process's own only when the
 * platform database is the embedded one (it starts empty, so nothing encrypted outlives the key). With a real
 * platform database and no key, nothing is encrypted under a key that a restart would lose: clients can still be
 * created, but saving a database URL is refused (503, naming ENCRYPTION_KEYS).
 */
function secretBoxFor(config: AppConfig, platform: PlatformDatabase, log: Logger): SecretBox | null {
  if (config.secrets.keys.length > 0) return new SecretBox(config.secrets.keys);
  if (platform.embedded) {
    log.info('No ENCRYPTION_KEYS: database URLs saved in the product are encrypted under a key of this process (the embedded platform database starts empty anyway)');
    return SecretBox.ephemeral();
  }
  log.info('No ENCRYPTION_KEYS: clients can be managed in the product, but without database URLs (set ENCRYPTION_KEYS to save them)');
  return null;
}

/** Rollups kept current by a periodic refresher over the clients the registry holds at each pass. */
function startRollups(config: AppConfig, registry: ClientRegistry, databases: ClientDatabases, platform: PlatformDatabase, log: Logger) {
  const refresher = startRollupRefresher({
    clientIds: () => registry.list().filter((c) => c.database).map((c) => c.id),
    databases,
    platform: platform.pool,
    intervalMs: 0, // passes are jobs (src/rollups/rollupJobs.ts), so replicas share them
    log,
    refresh: { overlapSeconds: config.platform.rollupOverlapSeconds },
  });
  return { reader: new RollupReader(platform.pool, (clientId) => databases.forClient(clientId)), refresher };
}
