import type { Logger } from 'pino';
import type { ClientConfig } from '../config/clients.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded/startEmbeddedPostgres.ts';
import { createPool } from '../db/pool.ts';
import { loadDemoClients } from '../demo/loadDemo.ts';
import { DEMO_SCENARIOS } from '../demo/scenarios.ts';
import { LiveDemoTraffic, type AppendedTraffic } from '../demo/liveTraffic.ts';
import { serverOf } from '../tenants/connections/serverOf.ts';

/** Every client served from its own schema in one embedded PostgreSQL filled with generated data. */
export interface DemoDatabase {
  embedded: EmbeddedPostgres;
  /** The embedded server's key and the most connections it accepts (pglite-socket refuses, not queues, the rest). */
  server: [string, number];
  /** Points entries of the registry at their schema in the embedded database. */
  transform(clients: ClientConfig[]): ClientConfig[];
  /** Generates and loads data for clients that have none yet (a client added to the file gets some too). */
  load(clients: readonly ClientConfig[]): Promise<void>;
  /** Writes the sessions that ended since the last append (or the load), so the demo's traffic stays live. */
  appendLive(now: Date): Promise<AppendedTraffic[]>;
  stop(): Promise<void>;
}

/** Warning lines framed by rules: loud as JSON (level 40) and as pretty lines (yellow WARN) alike. */
export function logDemoBanner(log: Logger): void {
  log.warn('='.repeat(72));
  log.warn('DEMO MODE: no client database is configured (or DEMO=1). Every client is served');
  log.warn('from an embedded PostgreSQL filled with GENERATED DEMO DATA, not real visitors.');
  log.warn('Set <CLIENT>_DB_URL variables (see .env.example) to use real databases.');
  log.warn('='.repeat(72));
}

/** Local days of demo history, today included. */
const DEMO_DAYS = 60;

export async function startDemoDatabase(log: Logger): Promise<DemoDatabase> {
  logDemoBanner(log);
  const embedded = await startEmbeddedPostgres();
  // Demo data is written through a pool of its own: the clients' pools are read-only.
  const writer = createPool({ connectionString: embedded.url, max: 1 });
  const loaded = new Set<string>();
  const live = new LiveDemoTraffic(writer);
  let queue = Promise.resolve();
  return {
    embedded,
    server: [serverOf(embedded.url), embedded.maxConnections - 1], // one stays free for the writer
    transform: (clients) => clients.map((client) => ({ ...client, database: { url: embedded.url, schema: client.id } })),
    load(clients) {
      const fresh = clients.filter((c) => !loaded.has(c.id));
      for (const client of fresh) loaded.add(client.id);
      if (fresh.length === 0) return queue;
      const started = Date.now();
      queue = queue.catch(() => {}).then(async () => {
        const targets = fresh.map((c) => ({ id: c.id, name: c.name, domain: c.domain, timezone: c.timezone, schema: c.id }));
        const now = new Date();
        await loadDemoClients(writer, targets, { days: DEMO_DAYS, now, scenarios: DEMO_SCENARIOS, log: (message) => log.info(message) });
        for (const target of targets) live.track(target, { days: DEMO_DAYS, anchor: now, scenario: DEMO_SCENARIOS[target.id] });
        log.warn({ ms: Date.now() - started, clients: fresh.map((c) => c.id) }, 'demo data ready (generated, not real)');
      });
      return queue;
    },
    async appendLive(now) {
      await queue.catch(() => {}); // after any load in progress: its clients are tracked by then
      return live.append(now);
    },
    async stop() {
      await queue.catch(() => {});
      await live.append(new Date(0)).catch(() => {}); // waits for a running append (one to the past adds nothing)
      await writer.end();
      await embedded.stop();
    },
  };
}
