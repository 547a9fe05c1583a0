import type { Logger } from 'pino';
import type { ClientConfig } from '../config/clients.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded/startEmbeddedPostgres.ts';
import { createPool } from '../db/pool.ts';
import { loadDemoClients } from '../demo/loadDemo.ts';
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
  stop(): Promise<void>;
}

export async function startDemoDatabase(log: Logger): Promise<DemoDatabase> {
  log.warn('='.repeat(72));
  log.warn('DEMO MODE: no client database is configured (or DEMO=1). Every client is served');
  log.warn('from an embedded PostgreSQL filled with GENERATED DEMO DATA, not real visitors.');
  log.warn('Set <CLIENT>_DB_URL variables (see .env.example) to use real databases.');
  log.warn('='.repeat(72));
  const embedded = await startEmbeddedPostgres();
  // Demo data is written through a pool of its own: the clients' pools are read-only.
  const writer = createPool({ connectionString: embedded.url, max: 1 });
  const loaded = new Set<string>();
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
        await loadDemoClients(writer, fresh.map((c) => ({ id: c.id, timezone: c.timezone, schema: c.id })), { log: (message) => log.info(message) });
        log.warn({ ms: Date.now() - started, clients: fresh.map((c) => c.id) }, 'demo data ready (generated, not real)');
      });
      return queue;
    },
    async stop() {
      await queue.catch(() => {});
      await writer.end();
      await embedded.stop();
    },
  };
}
