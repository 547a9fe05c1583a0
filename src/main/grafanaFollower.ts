import type { Logger } from 'pino';
import type { ClientConfig } from '../config/clients.ts';
import type { AppConfig } from '../config/loadConfig.ts';
import type { GrafanaPeople } from '../grafana/grafanaPeople.ts';
import type { ClientRegistry } from '../tenants/clientRegistry.ts';
import type { GrafanaJobs } from './grafanaJobs.ts';

/** How often each process asks whether people's access changed, on any replica or from a shell (one cheap query). */
export const PEOPLE_POLL_MS = 2000;

/**
 * Keeps Grafana in line in the background, so a slow or absent Grafana never delays serving: all clients at start-up
 * (`GRAFANA_SYNC_ON_START=1`), then each client that is added or changed; and people — whenever their access changes
 * (polled: it sees changes made by other replicas and by `npm run users` alike, through PgBouncer too) and after every
 * change of the registry. The poll is per process and cheap; the syncs themselves are jobs (`grafanaJobs.ts`), so
 * replicas that notice the same change do one sync between them.
 */
export function followGrafana(
  config: AppConfig,
  registry: ClientRegistry,
  log: Logger,
  people: GrafanaPeople | null,
  jobs: GrafanaJobs,
  peoplePollMs = PEOPLE_POLL_MS,
): { stop(): Promise<void> } {
  const enabled = config.grafana.url !== null && config.grafana.adminPassword !== null;
  let stopped = false;
  const request = (what: string, send: () => Promise<void>) => {
    if (!enabled || stopped) return;
    send().catch((error: Error & { code?: string }) => log.warn({ code: error.code }, `Grafana ${what}: could not queue the sync (${error.message})`));
  };

  const unsubscribe = registry.subscribe((change) => {
    const touched = [...change.added, ...change.changed.map((c) => c.after)]
      // A change that only records Grafana's own org id needs no second sync of the client.
      .filter((client) => !change.changed.some((c) => c.after === client && onlyOrgIdChanged(c.before, c.after)));
    // A client sync is followed by a people sync; without one, people still need one (a client left).
    if (touched.length > 0) request('clients', () => jobs.syncClients(touched.map((c) => c.id)));
    else request('people', () => jobs.syncPeople());
  });
  if (config.grafana.syncOnStart) request('clients', () => jobs.syncClients(null));

  /** The people signature the last poll saw (null: none yet: the first poll asks for a sync). */
  let seen: string | null = null;
  let polling: Promise<void> | null = null;
  let pollFailing = false;
  const poll = async () => {
    try {
      const signature = await people!.signature();
      if (signature !== seen) request('people', () => jobs.syncPeople());
      seen = signature;
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
    },
  };
}

function onlyOrgIdChanged(before: ClientConfig, after: ClientConfig): boolean {
  return JSON.stringify({ ...before, grafanaOrgId: null }) === JSON.stringify({ ...after, grafanaOrgId: null });
}
