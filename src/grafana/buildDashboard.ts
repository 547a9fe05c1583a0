import type { ClientConfig } from '../config/clients.ts';

/** Placeholder until the generator lands: the dashboard JSON (classic model) for one client. */
export function buildClientDashboard(client: ClientConfig, datasourceUid: string): Record<string, unknown> {
  return { uid: `chatbot-${client.id}`, title: 'User Events Analytics', datasourceUid, panels: [], schemaVersion: 41 };
}

export const dashboardUid = (clientId: string) => `chatbot-${clientId}`;
