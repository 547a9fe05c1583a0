import { personIdOf } from '../logins.ts';
import type { GrafanaPerson } from '../people.ts';
import { randomPassword } from './ensureClientUser.ts';
import type { GrafanaClient } from './grafanaClient.ts';
import type { Outcome } from './report.ts';

/** A Grafana user as the user lookup and the user search answer it (the search calls the server-admin flag `isAdmin`). */
export interface GrafanaUserProfile {
  id: number;
  login: string;
  email: string;
  name: string;
  isGrafanaAdmin: boolean;
}

interface FoundUser {
  id: number;
  login: string;
  email?: string;
  name?: string;
  isGrafanaAdmin?: boolean;
  isAdmin?: boolean;
}

interface UserOrg {
  orgId: number;
  role: string;
}

const VIEWER = 'Viewer';
const SEARCH_PAGE = 1000;

const profileOf = (user: FoundUser): GrafanaUserProfile => ({
  id: user.id, login: user.login, email: user.email ?? '', name: user.name ?? '', isGrafanaAdmin: Boolean(user.isGrafanaAdmin ?? user.isAdmin),
});

/** Every Grafana user the platform owns (login `person-<uuid>`), page by page from the server admin's user search. */
export async function listPersonUsers(api: GrafanaClient): Promise<GrafanaUserProfile[]> {
  const owned: GrafanaUserProfile[] = [];
  for (let page = 1; ; page++) {
    const result = await api.get<{ totalCount: number; users: FoundUser[] }>(`/api/users/search?perpage=${SEARCH_PAGE}&page=${page}&query=person-`);
    for (const user of result.users) if (personIdOf(user.login)) owned.push(profileOf(user));
    if (result.users.length < SEARCH_PAGE || page * SEARCH_PAGE >= result.totalCount) return owned;
  }
}

/** The Grafana user with exactly this login (a user the lookup finds by email under another login is not it). */
export async function findUser(api: GrafanaClient, login: string): Promise<GrafanaUserProfile | null> {
  const user = await api.find<FoundUser>(`/api/users/lookup?loginOrEmail=${encodeURIComponent(login)}`);
  return user && user.login === login ? profileOf(user) : null;
}

export interface PersonResult {
  outcome: Outcome;
  warnings: string[];
}

/**
 * Makes Grafana hold the person exactly: their user (created if missing, with a random password nobody ever sees:
 * they arrive through the auth proxy), their name and email, a Viewer membership in each of their organizations and
 * in no other, and no server-admin flag. Reads first and writes only what differs. `existing` is the user as a
 * listing just found it (null: not there); undefined looks it up.
 */
export async function ensurePerson(api: GrafanaClient, person: GrafanaPerson, existing?: GrafanaUserProfile | null): Promise<PersonResult> {
  const warnings: string[] = [];
  const found = existing === undefined ? await findUser(api, person.login) : existing;
  const user = found ?? (await createUser(api, person, warnings));
  const profile = found ? await ensureProfile(api, found, person, warnings) : false;
  const memberships = await ensureMemberships(api, user, person.orgIds, warnings);
  return { outcome: !found ? 'created' : profile || memberships ? 'updated' : 'unchanged', warnings };
}

/** Removes a user the platform owns from Grafana: their person is gone, disabled, or sees no client there. */
export async function removeUser(api: GrafanaClient, user: GrafanaUserProfile): Promise<void> {
  await api.request('DELETE', `/api/admin/users/${user.id}`, { accept: [404] });
}

async function createUser(api: GrafanaClient, person: GrafanaPerson, warnings: string[]): Promise<GrafanaUserProfile> {
  const email = await usableEmail(api, person, null, warnings);
  const created = await api.request<{ id: number }>('POST', '/api/admin/users', {
    // No email: Grafana uses the login as the email, which can belong to nobody else.
    body: { name: person.name, login: person.login, ...(email ? { email } : {}), password: randomPassword(), OrgId: person.orgIds[0] },
    accept: [412],
  });
  if (created.status !== 412) return { id: created.data.id, login: person.login, email: email ?? person.login, name: person.name, isGrafanaAdmin: false };
  // 412 "user already exists": another replica (or the proxy) created it meanwhile.
  const raced = await findUser(api, person.login);
  if (!raced) throw new Error(`Grafana refuses to create ${person.login} (a user with that login or email exists)`);
  return raced;
}

/** Name and email as the platform has them; the email only while no Grafana user of someone else holds it. */
async function ensureProfile(api: GrafanaClient, user: GrafanaUserProfile, person: GrafanaPerson, warnings: string[]): Promise<boolean> {
  const emailDiffers = user.email.toLowerCase() !== person.email.toLowerCase();
  const email = emailDiffers ? ((await usableEmail(api, person, user.id, warnings)) ?? user.email) : user.email;
  if (user.name === person.name && email === user.email) return false;
  await api.send('PUT', `/api/users/${user.id}`, { login: user.login, email, name: person.name });
  return true;
}

async function usableEmail(api: GrafanaClient, person: GrafanaPerson, ownId: number | null, warnings: string[]): Promise<string | null> {
  if (!person.email) return null;
  const holder = await api.find<FoundUser>(`/api/users/lookup?loginOrEmail=${encodeURIComponent(person.email)}`);
  if (!holder || holder.id === ownId) return person.email;
  warnings.push(`${person.login}: another Grafana user already has this person's email, so their Grafana user is shown without it`);
  return null;
}

/**
 * Leaves the organizations the person may no longer see before joining new ones, so that they never hold more than
 * they may, not even between two requests (the admin API keeps a user that has no organization left).
 */
async function ensureMemberships(api: GrafanaClient, user: GrafanaUserProfile, orgIds: readonly number[], warnings: string[]): Promise<boolean> {
  const current = await api.get<UserOrg[]>(`/api/users/${user.id}/orgs`);
  let wrote = false;
  for (const org of current.filter((membership) => !orgIds.includes(membership.orgId))) {
    await api.request('DELETE', `/api/orgs/${org.orgId}/users/${user.id}`, { accept: [404] });
    wrote = true;
  }
  for (const orgId of orgIds) {
    const membership = current.find((org) => org.orgId === orgId);
    if (!membership) {
      const added = await api.request<{ message?: string }>('POST', `/api/orgs/${orgId}/users`, { body: { loginOrEmail: user.login, role: VIEWER }, accept: [404, 409] });
      if (added.status === 404) warnings.push(`${user.login}: cannot join organization ${orgId} (${added.data?.message ?? 'not found'}); run npm run grafana:sync`);
      wrote = added.status !== 404 || wrote;
    } else if (membership.role !== VIEWER) {
      await api.send('PATCH', `/api/orgs/${orgId}/users/${user.id}`, { role: VIEWER });
      wrote = true;
    }
  }
  if (user.isGrafanaAdmin) {
    await api.send('PUT', `/api/admin/users/${user.id}/permissions`, { isGrafanaAdmin: false });
    wrote = true;
  }
  return wrote;
}
