import type { GrafanaClient } from './grafanaClient.ts';
import type { Outcome } from './report.ts';

interface OrgPreferences {
  timezone?: string;
  homeDashboardUID?: string;
}

/**
 * The org's time zone (the client's) and home dashboard (the client's dashboard). PATCH changes only the keys sent,
 * where PUT would reset every omitted key to its default.
 */
export async function ensurePreferences(api: GrafanaClient, orgId: number, timezone: string, homeDashboardUID: string | null): Promise<Outcome> {
  const current = (await api.find<OrgPreferences>('/api/org/preferences', orgId)) ?? {};
  const patch: OrgPreferences = {};
  if (current.timezone !== timezone) patch.timezone = timezone;
  if (homeDashboardUID !== null && current.homeDashboardUID !== homeDashboardUID) patch.homeDashboardUID = homeDashboardUID;
  if (Object.keys(patch).length === 0) return 'unchanged';
  await api.send('PATCH', '/api/org/preferences', patch, orgId);
  return 'updated';
}
