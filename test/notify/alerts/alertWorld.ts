import { loadConfig } from '../../../src/config/loadConfig.ts';
import type { ClientConfig } from '../../../src/config/clients.ts';
import { quoteIdent, tableRef } from '../../../src/db/identifiers.ts';
import type { Notification, Notifier } from '../../../src/notify/notification.ts';
import { evaluateAlerts, type AlertDeps } from '../../../src/notify/alerts/evaluateAlerts.ts';
import { ClientDatabases } from '../../../src/tenants/clientDatabases.ts';
import { ClientRegistry } from '../../../src/tenants/clientRegistry.ts';
import { createClientTablesSql } from '../../../src/tenants/clientTables.ts';
import { testClient } from '../../helpers/buildTestApp.ts';
import { capturedLogger } from '../../helpers/logCapture.ts';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';

/** A real receiver of notifications: it keeps what it was handed, and (like delivery) each key once. */
export class RecordingNotifier implements Notifier {
  readonly received: Notification[] = [];
  async notify(notification: Notification): Promise<void> {
    if (!this.received.some((n) => n.key === notification.key)) this.received.push(notification);
  }
  of(clientId: string, kind?: Notification['kind']): Notification[] {
    return this.received.filter((n) => n.clientId === clientId && (kind === undefined || n.kind === kind));
  }
}

/** Traffic for [from, to): `perHour[localHour]` sessions each hour, evenly spread, with nested step rates. */
export interface Traffic {
  from: Date;
  to: Date;
  perHour: readonly number[];
  widget?: number;
  human?: number;
  accept?: number;
}

export interface AlertWorld {
  data: TestDatabase;
  platform: TestDatabase;
  registry: ClientRegistry;
  notifier: RecordingNotifier;
  deps: AlertDeps;
  addClient(id: string, timezone: string, options?: { url?: string }): Promise<ClientConfig>;
  fill(clientId: string, traffic: Traffic): Promise<void>;
  round(now: Date): ReturnType<typeof evaluateAlerts>;
  close(): Promise<void>;
}

/** Client databases as schemas of one real test database, a migrated platform database, and a recording notifier. */
export async function alertWorld(label: string): Promise<AlertWorld> {
  const [data, platform] = await Promise.all([createTestDatabase(`${label}_data`), createTestDatabase(`${label}_platform`)]);
  await asPlatformDatabase(platform);
  const registry = new ClientRegistry();
  const clients: ClientConfig[] = [];
  const log = capturedLogger();
  log.info({ label }, 'alert test world');
  const base = loadConfig({}).db;
  const databases = new ClientDatabases(registry, { ...base, poolMax: 3, connectTimeoutMs: 1000, statementTimeoutMs: 5000, acquireTimeoutMs: 3000, maxConnectionsPerServer: 20 }, log);
  const notifier = new RecordingNotifier();
  const deps: AlertDeps = {
    answers: { databases, cache: null, rollups: null, now: () => new Date(), log },
    platform: platform.pool, clients: registry, notifier, publicUrl: 'https://alerts.example.com', concurrency: 4,
  };
  return {
    data, platform, registry, notifier, deps,
    async addClient(id, timezone, options = {}) {
      const client = { ...testClient(id, timezone, options.url ?? data.url, options.url ? 'public' : id), name: `Client ${id}` };
      if (!options.url) {
        await data.pool.query(`CREATE SCHEMA ${quoteIdent(id)}`);
        for (const statement of createClientTablesSql(id)) await data.pool.query(statement);
      }
      clients.push(client);
      registry.replace('file', [...clients]);
      return client;
    },
    async fill(clientId, t) {
      // A Weyl sequence (k·φ mod 1) decides each session's steps: every window holds its rates closely.
      await data.pool.query(
        `INSERT INTO ${tableRef(clientId, 'UserEvents')} ("sessionId", "pageLoaded", "widgetOpened", "requestedHuman", "pressedAccept", "createdAt", "updatedAt")
         SELECT 's' || extract(epoch FROM x.t)::bigint || '_' || g, x.t,
                CASE WHEN u < $5 THEN x.t + interval '5 seconds' END,
                CASE WHEN u < $5 * $6 THEN x.t + interval '10 seconds' END,
                CASE WHEN u < $5 * $6 * $7 THEN x.t + interval '20 seconds' END,
                x.t, x.t
           FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 hour') AS h(at),
                LATERAL (SELECT ($3::int[])[extract(hour FROM h.at AT TIME ZONE $4)::int + 1] AS n) AS p,
                LATERAL generate_series(1, p.n) AS g,
                LATERAL (SELECT h.at + (g - 0.5) * interval '1 hour' / p.n AS t) AS x,
                LATERAL (SELECT (floor(extract(epoch FROM x.t)) * 0.6180339887498949) % 1 AS u) AS w`,
        [t.from.toISOString(), t.to.toISOString(), t.perHour, registry.get(clientId)!.timezone, t.widget ?? 0.4, t.human ?? 0.3, t.accept ?? 0.5],
      );
    },
    round: (now) => evaluateAlerts(deps, now),
    async close() {
      await databases.close();
      await Promise.all([data.drop(), platform.drop()]);
    },
  };
}

export const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);
export const hours = (at: Date, n: number) => minutes(at, n * 60);
export const days = (at: Date, n: number) => hours(at, n * 24);

/** A busy day: quiet nights, 40 sessions an hour through the day. */
export const BUSY = Array.from({ length: 24 }, (_, h) => (h < 7 ? 1 : h < 21 ? 40 : 5));
/** A small client: nothing at night, a few an hour by day. */
export const QUIET = Array.from({ length: 24 }, (_, h) => (h < 8 || h >= 20 ? 0 : 3));
