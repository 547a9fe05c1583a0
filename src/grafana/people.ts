import { principalOfUser } from '../access/access.ts';
import { visibleOf, type Principal } from '../access/principal.ts';
import { listUsers, userById, type User } from '../access/users.ts';
import type { Queryable } from '../db/queryable.ts';
import { personLogin } from './logins.ts';
import type { PeopleSource } from './sync/syncPeople.ts';

/** What a client contributes to Grafana access: its organization, once it has one. */
export type ClientOrg = { id: string; grafanaOrgId: number | null };

/**
 * A person as Grafana should hold them: their own login, who they are (shown in Grafana's UI), and a Viewer
 * membership in exactly these organizations. Viewer for everyone, admins included: the dashboards and data sources
 * are the platform's (sync overwrites them), an Editor could add dashboards nobody reviews, and an org Admin could
 * repoint the data source at a server of their own and receive its password.
 */
export interface GrafanaPerson {
  userId: string;
  login: string;
  name: string;
  email: string;
  orgIds: number[];
}

/** The organizations of the clients a principal may see (every client's for admins and all-client operators), sorted. */
export function orgIdsOf(principal: Principal, clients: readonly ClientOrg[]): number[] {
  const ids = visibleOf(principal, clients).map((client) => client.grafanaOrgId).filter((id): id is number => id !== null);
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * The person's place in Grafana, or null when they should have none: disabled, or no client of theirs has an
 * organization. A removed person has no row, hence no place either.
 */
export function grafanaPersonOf(user: User, clients: readonly ClientOrg[]): GrafanaPerson | null {
  if (user.disabled) return null;
  const orgIds = orgIdsOf(principalOfUser(user, 'session'), clients);
  if (orgIds.length === 0) return null;
  return { userId: user.id, login: personLogin(user.id), name: user.name.trim() || user.email, email: user.email, orgIds };
}

/** People as the platform database holds them, for `syncPeople`; `clients` is read at each call (the registry changes). */
export function peopleSource(db: Queryable, clients: () => readonly ClientOrg[]): PeopleSource {
  return {
    ids: async () => (await listUsers(db)).map((user) => user.id),
    desired: async (userId) => {
      const user = await userById(db, userId);
      return user && grafanaPersonOf(user, clients());
    },
  };
}
