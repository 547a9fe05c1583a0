import type { Logger } from 'pino';
import type { ClientConfig } from '../config/clients.ts';
import type { AppConfig } from '../config/loadConfig.ts';
import type { GrafanaPeople } from '../grafana/grafanaPeople.ts';
import { formatReport, syncGrafana } from '../grafana/sync/index.ts';
import { formatPeopleReport } from '../grafana/sync/syncPeople.ts';
import type { ClientRegistry } from '../tenants/clientRegistry.ts';

/** How often each process asks whether people's access changed, on any replica or from a shell (one cheap query). */
export const PEOPLE_POLL_MS = 2000;
/** After a people sync failed as a whole (Grafana unreachable), polls wait this long before the next attempt. */
const PEOPLE_RETRY_MS = 30_000;

/**
 * Keeps Grafana in line in the background, so a slow or absent Grafana never delays serving: all clients at start-up
 * (`GRAFANA_SYNC_ON_START=1`), then each client that is added or changed; and people — whenever their access changes
 * (polled: it sees changes made by other replicas and by `npm run users` alike, through PgBouncer too) and after every
 * change of the registry (a client added or removed changes who belongs where). Runs one job at a time. Org ids
 * Grafana gave that differ from the registry are used at once (and logged for the file).
 */
export function followGrafana(
  config: AppConfig,
  registry: ClientRegistry,
  log: Logger,
  people: GrafanaPeople | null,
  peoplePollMs = PEOPLE_POLL_MS,
): { stop(): Promise<void> } {
  const enabled = config.grafana.url !== null && config.grafana.adminPassword !== null;
  let queue = Promise.resolve();
  let stopped = false;
  /** The people signature the latest people sync started from (null: none yet, or it failed: the next poll retries). */
  let started: string | null = null;
  let peopleQueued = false;
  let retryAt = 0;

  const enqueue = (job: () => Promise<void>) => {
    queue = queue.then(() => (stopped ? undefined : job()));
  };

  const syncClients = (clients: readonly ClientConfig[]) => {
    if (!enabled || clients.length === 0) return;
    enqueue(async () => {
      try {
        const report = await syncGrafana({ clients: [...clients], grafana: config.grafana }, { log: (message) => log.info(message) });
        for (const line of formatReport(report).split('\n')) log.info(line);
        for (const { clientId, grafanaOrgId } of report.orgIdMismatches) registry.useGrafanaOrg(clientId, grafanaOrgId);
      } catch (error) {
        log.error({ code: (error as { name?: string }).name }, `Grafana sync failed: ${(error as Error).message}`);
      }
    });
  };

  const syncPeople = () => {
    if (!enabled || !people || peopleQueued) return;
    peopleQueued = true;
    enqueue(async () => {
      peopleQueued = false; // a change from now on queues another run
      try {
        started = await people.signature(); // read first: a change made during the run is synced by the next one
        const report = await people.syncAll((message) => log.info(`Grafana people: ${message}`));
        const changed = report.created + report.updated + report.removed + report.warnings.length + report.failures.length > 0;
        if (changed) for (const line of formatPeopleReport(report).split('\n')) log.info(line);
      } catch (error) {
        started = null; // Grafana unreachable, say: a later poll tries again, after a pause
        retryAt = Date.now() + PEOPLE_RETRY_MS;
        log.error({ code: (error as { name?: string }).name }, `Grafana people sync failed: ${(error as Error).message}`);
      }
    });
  };

  const unsubscribe = registry.subscribe((change) => {
    const touched = [...change.added, ...change.changed.map((c) => c.after)];
    // A change that only records Grafana's own org id needs no second sync of the client.
    syncClients(touched.filter((client) => !change.changed.some((c) => c.after === client && onlyOrgIdChanged(c.before, c.after))));
    syncPeople();
  });
  if (config.grafana.syncOnStart) {
    syncClients(registry.list());
    syncPeople();
  }

  let polling: Promise<void> | null = null;
  let pollFailing = false;
  const poll = async () => {
    try {
      if ((await people!.signature()) !== started && Date.now() >= retryAt) syncPeople();
      pollFailing = false;
    } catch (error) {
      if (!pollFailing) log.warn({ code: (error as { code?: string }).code }, 'Grafana people: cannot read people from the platform database; will try again');
      pollFailing = true;
    }
  };
  const timer = enabled && people && peoplePollMs > 0
    ? setInterval(() => {
      if (!polling && !stopped) polling = poll().finally(() => (polling = null));
    }, peoplePollMs)
    : undefined;
  timer?.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      await polling;
      await queue;
    },
  };
}

function onlyOrgIdChanged(before: ClientConfig, after: ClientConfig): boolean {
  return JSON.stringify({ ...before, grafanaOrgId: null }) === JSON.stringify({ ...after, grafanaOrgId: null });
}
