import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/loadConfig.ts';
import type { GrafanaPeople } from '../grafana/grafanaPeople.ts';
import { formatReport, syncGrafana } from '../grafana/sync/index.ts';
import { formatPeopleReport } from '../grafana/sync/syncPeople.ts';
import type { Jobs } from '../jobs/jobs.ts';
import type { ClientRegistry } from '../tenants/clientRegistry.ts';

export const SYNC_CLIENTS = 'grafana.sync-clients';
export const SYNC_PEOPLE = 'grafana.sync-people';

export interface GrafanaJobs {
  /** Queues a sync of these clients (null: every client); replicas asking for the same sync get one. */
  syncClients(clientIds: readonly string[] | null): Promise<void>;
  /** Queues a sync of people; at most one waits, whoever asks. */
  syncPeople(): Promise<void>;
}

/**
 * Grafana syncs as jobs, so one replica does each (the others' identical requests find it waiting). A client sync is
 * followed by a people sync (a new org changes who belongs where); a people sync that fails as a whole (Grafana
 * unreachable) is retried with backoff. The clients are read from the registry when the job runs, so a job for a
 * client since removed does nothing for it. Org ids Grafana gave that differ from the registry are used at once by
 * the replica that ran the sync (and logged for the file).
 */
export async function registerGrafanaJobs(jobs: Jobs, config: AppConfig, registry: ClientRegistry, people: GrafanaPeople | null, log: Logger): Promise<GrafanaJobs> {
  await jobs.define(SYNC_CLIENTS, { retryLimit: 2, retryDelaySeconds: 30, expireInSeconds: 900, singletonUntil: 'started' });
  await jobs.define(SYNC_PEOPLE, { retryLimit: 8, retryDelaySeconds: 30, expireInSeconds: 600, singletonUntil: 'started' });

  const syncPeople = async () => {
    if (people) await jobs.send(SYNC_PEOPLE, {}, { singletonKey: 'people' });
  };

  await jobs.work<{ clientIds: string[] | null }>(SYNC_CLIENTS, async ({ clientIds }) => {
    const clients = clientIds === null ? registry.list() : clientIds.flatMap((id) => registry.get(id) ?? []);
    if (clients.length > 0) {
      try {
        const report = await syncGrafana({ clients: [...clients], grafana: config.grafana }, { log: (message) => log.info(message) });
        for (const line of formatReport(report).split('\n')) log.info(line);
        for (const { clientId, grafanaOrgId } of report.orgIdMismatches) registry.useGrafanaOrg(clientId, grafanaOrgId);
      } catch (error) {
        // As before: logged, not retried (a wrong admin password fails the same way every time).
        log.error({ code: (error as { name?: string }).name }, `Grafana sync failed: ${(error as Error).message}`);
      }
    }
    await syncPeople();
  });

  await jobs.work(SYNC_PEOPLE, async () => {
    if (!people) return;
    try {
      const report = await people.syncAll((message) => log.info(`Grafana people: ${message}`));
      const changed = report.created + report.updated + report.removed + report.warnings.length + report.failures.length > 0;
      if (changed) for (const line of formatPeopleReport(report).split('\n')) log.info(line);
    } catch (error) {
      log.error({ code: (error as { name?: string }).name }, `Grafana people sync failed: ${(error as Error).message}`);
      throw error; // retried with backoff
    }
  });

  return {
    async syncClients(clientIds) {
      if (clientIds !== null && clientIds.length === 0) return;
      const ids = clientIds === null ? null : [...new Set(clientIds)].sort();
      const key = ids === null ? 'all' : `clients:${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 32)}`;
      await jobs.send(SYNC_CLIENTS, { clientIds: ids }, { singletonKey: key });
    },
    syncPeople,
  };
}
