import type { ClientConfig } from '../config/clients.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import { buildClientDashboard } from './buildDashboard.ts';

/** Where the demo clients' generated dashboards are committed, so every change to a panel's SQL shows up in review. */
export const DASHBOARDS_DIR = 'grafana/dashboards';

/** File name → content of each client's dashboard, fitted to `sources` (the standard layout for a client not in it). */
export function renderDashboardFiles(clients: ClientConfig[], datasourceUid: string, sources: ReadonlyMap<string, ClientSource> = new Map()): Map<string, string> {
  return new Map(clients.map((client) => {
    const dashboard = buildClientDashboard(client, datasourceUid, sources.get(client.id));
    return [`${client.id}.json`, `${JSON.stringify(dashboard, null, 2)}\n`];
  }));
}
