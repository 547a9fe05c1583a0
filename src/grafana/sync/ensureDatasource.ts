import type { GrafanaClient } from './grafanaClient.ts';
import { datasourceModel, type DatasourceModel, type DatasourceSettings } from './datasourceSettings.ts';
import type { Outcome } from './report.ts';

interface StoredDatasource {
  uid: string;
  name: string;
  type: string;
  access: string;
  url: string;
  user: string;
  isDefault: boolean;
  readOnly?: boolean;
  jsonData?: Record<string, unknown> | null;
  secureJsonFields?: Record<string, boolean> | null;
}

export interface DatasourceResult {
  outcome: Outcome;
  warning?: string;
}

/**
 * The client's PostgreSQL data source in its org, with the same uid everywhere. Grafana never returns the password,
 * so an existing one is only rewritten when a non-secret field differs or `rotateSecrets` asks for it.
 */
export async function ensureDatasource(
  api: GrafanaClient,
  orgId: number,
  uid: string,
  settings: DatasourceSettings,
  rotateSecrets: boolean,
): Promise<DatasourceResult> {
  const desired = datasourceModel(uid, settings);
  const secureJsonData = settings.password ? { password: settings.password } : undefined;
  const path = `/api/datasources/uid/${encodeURIComponent(uid)}`;
  const existing = await api.find<StoredDatasource>(path, orgId);
  if (!existing) {
    await api.send('POST', '/api/datasources', { ...desired, secureJsonData }, orgId);
    return { outcome: 'created' };
  }
  const differs = differences(existing, desired, Boolean(secureJsonData));
  if (differs.length === 0 && !rotateSecrets) return { outcome: 'unchanged' };
  if (existing.readOnly) {
    // Provisioned from a file: Grafana refuses API edits, and the file is the source of truth.
    const what = differs.length > 0 ? `differs (${differs.join(', ')})` : 'has a secret to rotate';
    return { outcome: 'skipped', warning: `data source ${uid} in org ${orgId} is provisioned (read-only) and ${what}; change its provisioning file` };
  }
  // Keep jsonData keys someone set in the UI (e.g. connection limits); ours win on conflicts.
  const jsonData = { ...(existing.jsonData ?? {}), ...desired.jsonData };
  await api.send('PUT', path, { ...desired, jsonData, secureJsonData }, orgId);
  return { outcome: 'updated' };
}

/** Names of the non-secret fields that differ (the password only counts when Grafana holds none). */
function differences(existing: StoredDatasource, desired: DatasourceModel, wantsPassword: boolean): string[] {
  const fields: string[] = [];
  for (const key of ['name', 'type', 'access', 'url', 'user', 'isDefault'] as const) {
    if (existing[key] !== desired[key]) fields.push(key);
  }
  for (const [key, value] of Object.entries(desired.jsonData)) {
    if (existing.jsonData?.[key] !== value) fields.push(`jsonData.${key}`);
  }
  if (wantsPassword && !existing.secureJsonFields?.password) fields.push('password (not set)');
  return fields;
}
