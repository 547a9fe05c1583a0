import { GrafanaApiError, type GrafanaClient } from './grafanaClient.ts';
import type { Outcome } from './report.ts';

interface StoredDashboard {
  dashboard: Record<string, unknown> & { version?: number; title?: string };
  meta?: { folderUid?: string; provisioned?: boolean };
}

export interface DashboardResult {
  outcome: Outcome;
  warning?: string;
}

const SAVE_MESSAGE = 'Saved by grafana:sync (generated from the platform)';

/**
 * Saves the generated dashboard in the org's General folder unless Grafana already holds the same JSON.
 * Optimistic: the stored version is sent without overwrite; on 412 we retry once with overwrite.
 */
export async function ensureDashboard(
  api: GrafanaClient,
  orgId: number,
  uid: string,
  generated: Record<string, unknown>,
): Promise<DashboardResult> {
  const path = `/api/dashboards/uid/${encodeURIComponent(uid)}`;
  const stored = await api.find<StoredDashboard>(path, orgId);
  if (stored && !stored.meta?.folderUid && sameDashboard(stored.dashboard, generated)) return { outcome: 'unchanged' };
  if (stored?.meta?.provisioned) {
    return { outcome: 'skipped', warning: `dashboard ${uid} in org ${orgId} is provisioned from a file; regenerate the provisioning files instead` };
  }

  const dashboard = { ...withoutBookkeeping(generated), uid, id: null, version: stored?.dashboard.version };
  try {
    await save(api, orgId, uid, dashboard, false);
  } catch (error) {
    if (!(error instanceof GrafanaApiError) || error.status !== 412) throw error;
    // version-mismatch (edited meanwhile) or name-exists (created meanwhile): ours wins, but only over our own uid.
    if (!(await api.find<StoredDashboard>(path, orgId))) {
      throw new Error(`another dashboard titled "${String(generated.title)}" already exists in org ${orgId}'s General folder; rename or delete it`);
    }
    await save(api, orgId, uid, dashboard, true);
  }
  return { outcome: stored ? 'updated' : 'created' };
}

async function save(api: GrafanaClient, orgId: number, uid: string, dashboard: Record<string, unknown>, overwrite: boolean) {
  const saved = await api.send<{ uid?: string }>('POST', '/api/dashboards/db', { dashboard, overwrite, message: SAVE_MESSAGE }, orgId);
  if (saved.uid && saved.uid !== uid) throw new Error(`Grafana saved the dashboard under uid ${saved.uid}, not ${uid}`);
}

/** Grafana keeps its own id, version and uid on the stored copy; they are bookkeeping, not content. */
function withoutBookkeeping(dashboard: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, version: _version, uid: _uid, ...content } = dashboard;
  return content;
}

/** Equal content regardless of key order (Grafana returns JSON objects with sorted keys). */
export function sameDashboard(stored: Record<string, unknown>, generated: Record<string, unknown>): boolean {
  return canonical(withoutBookkeeping(stored)) === canonical(withoutBookkeeping(generated));
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
