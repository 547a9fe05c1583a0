import { randomBytes } from 'node:crypto';
import type { ClientConfig } from '../../config/clients.ts';
import { grafanaLoginFor } from '../logins.ts';
import type { GrafanaClient } from './grafanaClient.ts';
import type { Outcome } from './report.ts';

export interface GrafanaUser {
  id: number;
  login: string;
  isGrafanaAdmin?: boolean;
}

interface UserOrg {
  orgId: number;
  role: string;
}

/** Creates the client's user if missing. Its password is random and never shown: people arrive through the proxy. */
export async function ensureClientUser(api: GrafanaClient, client: ClientConfig, orgId: number): Promise<{ user: GrafanaUser; outcome: Outcome }> {
  const login = grafanaLoginFor(client.id);
  const existing = await api.find<GrafanaUser>(`/api/users/lookup?loginOrEmail=${encodeURIComponent(login)}`);
  if (existing) return { user: existing, outcome: 'unchanged' };
  const created = await api.send<{ id: number }>('POST', '/api/admin/users', {
    name: `${client.name} (viewer)`,
    login,
    password: randomPassword(),
    OrgId: orgId,
  });
  return { user: { id: created.id, login, isGrafanaAdmin: false }, outcome: 'created' };
}

/**
 * The user is a Viewer of its own org and a member of no other (Grafana may auto-assign new users to Main Org.),
 * and not a server admin. It is added to its org before leaving the others: Grafana users must keep one org.
 */
export async function ensureViewerOnlyOf(api: GrafanaClient, user: GrafanaUser, orgId: number): Promise<Outcome> {
  const userId = user.id;
  const orgs = await api.get<UserOrg[]>(`/api/users/${userId}/orgs`);
  let wrote = false;
  const own = orgs.find((org) => org.orgId === orgId);
  if (!own) {
    await api.send('POST', `/api/orgs/${orgId}/users`, { loginOrEmail: user.login, role: 'Viewer' });
    wrote = true;
  } else if (own.role !== 'Viewer') {
    await api.send('PATCH', `/api/orgs/${orgId}/users/${userId}`, { role: 'Viewer' });
    wrote = true;
  }
  for (const other of orgs.filter((org) => org.orgId !== orgId)) {
    await api.send('DELETE', `/api/orgs/${other.orgId}/users/${userId}`);
    wrote = true;
  }
  if (user.isGrafanaAdmin) {
    await api.send('PUT', `/api/admin/users/${userId}/permissions`, { isGrafanaAdmin: false });
    wrote = true;
  }
  return wrote ? 'updated' : 'unchanged';
}

/** Long and mixed enough for Grafana's strong password policy, should it be switched on. */
export function randomPassword(): string {
  return `${randomBytes(24).toString('base64url')}aA1!`;
}
