import type { Logger } from 'pino';
import type { ClientConfig } from '../config/clients.ts';
import type { AppConfig } from '../config/loadConfig.ts';
import { formatReport, syncGrafana } from '../grafana/sync/index.ts';
import type { ClientRegistry } from '../tenants/clientRegistry.ts';

/**
 * Keeps Grafana in line with the registry in the background, so a slow or absent Grafana never delays serving: all
 * clients at start-up (`GRAFANA_SYNC_ON_START=1`), then each client that is added or changed. Runs one at a time.
 * Org ids Grafana gave that differ from the registry are used for the redirect at once (and logged for the file).
 */
export function followGrafana(config: AppConfig, registry: ClientRegistry, log: Logger): { stop(): Promise<void> } {
  const enabled = config.grafana.url !== null && config.grafana.adminPassword !== null;
  let queue = Promise.resolve();
  let stopped = false;

  const sync = (clients: readonly ClientConfig[]) => {
    if (!enabled || clients.length === 0) return;
    queue = queue.then(async () => {
      if (stopped) return;
      try {
        const report = await syncGrafana({ clients: [...clients], grafana: config.grafana }, { log: (message) => log.info(message) });
        for (const line of formatReport(report).split('\n')) log.info(line);
        for (const { clientId, grafanaOrgId } of report.orgIdMismatches) registry.useGrafanaOrg(clientId, grafanaOrgId);
      } catch (error) {
        log.error({ code: (error as { name?: string }).name }, `Grafana sync failed: ${(error as Error).message}`);
      }
    });
  };

  const unsubscribe = registry.subscribe((change) => {
    const touched = [...change.added, ...change.changed.map((c) => c.after)];
    // A change that only records Grafana's own org id needs no second sync.
    sync(touched.filter((client) => !change.changed.some((c) => c.after === client && onlyOrgIdChanged(c.before, c.after))));
  });
  if (config.grafana.syncOnStart) sync(registry.list());

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      await queue;
    },
  };
}

function onlyOrgIdChanged(before: ClientConfig, after: ClientConfig): boolean {
  return JSON.stringify({ ...before, grafanaOrgId: null }) === JSON.stringify({ ...after, grafanaOrgId: null });
}
