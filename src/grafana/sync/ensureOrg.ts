import type { ClientConfig } from '../../config/clients.ts';
import type { GrafanaClient } from './grafanaClient.ts';
import type { Outcome } from './report.ts';

interface Org {
  id: number;
  name: string;
}

interface OrgUser {
  userId: number;
  login: string;
  role: string;
}

export interface AdminIdentity {
  id: number;
  login: string;
}

/**
 * One organization per client: the registry's id when Grafana has it (renamed to the client's name if needed),
 * else the org with the client's name, else a new one.
 */
export async function ensureOrg(api: GrafanaClient, client: ClientConfig): Promise<{ orgId: number; outcome: Outcome }> {
  const byId = client.grafanaOrgId === null ? null : await api.find<Org>(`/api/orgs/${client.grafanaOrgId}`);
  if (byId) {
    if (byId.name === client.name) return { orgId: byId.id, outcome: 'unchanged' };
    await api.send('PUT', `/api/orgs/${byId.id}`, { name: client.name }); // 409 when another org has that name
    return { orgId: byId.id, outcome: 'updated' };
  }
  const byName = await findByName(api, client.name);
  if (byName) return { orgId: byName.id, outcome: 'unchanged' };

  const created = await api.request<{ orgId: number | string }>('POST', '/api/orgs', { body: { name: client.name }, accept: [409] });
  if (created.status !== 409) return { orgId: Number(created.data.orgId), outcome: 'created' };
  // 409 "Organization name taken": someone created it between our lookup and our POST.
  const raced = await findByName(api, client.name);
  if (!raced) throw new Error(`Grafana says the organization name "${client.name}" is taken but cannot find it by name`);
  return { orgId: raced.id, outcome: 'unchanged' };
}

function findByName(api: GrafanaClient, name: string): Promise<Org | null> {
  return api.find<Org>(`/api/orgs/name/${encodeURIComponent(name)}`);
}

/**
 * Org-scoped calls (X-Grafana-Org-Id) act with the admin's role in that org, so the admin must be its Admin.
 * Grafana adds the creator of an org as Admin; orgs found by id or name may lack it. Returns whether it wrote.
 */
export async function ensureAdminMember(api: GrafanaClient, orgId: number, admin: AdminIdentity): Promise<boolean> {
  const members = await api.get<OrgUser[]>(`/api/orgs/${orgId}/users`);
  const membership = members.find((member) => member.userId === admin.id);
  if (!membership) {
    await api.send('POST', `/api/orgs/${orgId}/users`, { loginOrEmail: admin.login, role: 'Admin' });
    return true;
  }
  if (membership.role === 'Admin') return false;
  await api.send('PATCH', `/api/orgs/${orgId}/users/${admin.id}`, { role: 'Admin' });
  return true;
}
