import type { ClientConfig } from '../config/clients.ts';
import { buildClientDashboard } from './buildDashboard.ts';

/** Where generated dashboards are committed, so every change to a panel's SQL shows up in review. */
export const DASHBOARDS_DIR = 'grafana/dashboards';

/** File name → content of every client's dashboard, exactly as committed. */
export function renderDashboardFiles(clients: ClientConfig[], datasourceUid: string): Map<string, string> {
  return new Map(
    clients.map((client) => [`${client.id}.json`, `${JSON.stringify(buildClientDashboard(client, datasourceUid), null, 2)}\n`]),
  );
}
