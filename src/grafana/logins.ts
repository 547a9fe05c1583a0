import type { Principal } from '../access/principal.ts';

/**
 * Legacy: the one Grafana user every session signed in with a client's key (`<ID>_API_KEY`) shares; `grafana:sync`
 * creates it as a Viewer of that client's org only. People never sign in as it.
 */
export const grafanaLoginFor = (clientId: string) => `client-${clientId}`;

/**
 * A person's own Grafana login, made from their id: it stays the same when their email or name changes, and no other
 * person ever gets it (ids are never reused). The shape also marks the Grafana users the platform owns: sync creates,
 * changes and deletes only users whose login is exactly `person-<uuid>`, never the Grafana admin or anyone made by hand.
 */
export const personLogin = (userId: string) => `person-${userId.toLowerCase()}`;

const PERSON_LOGIN = /^person-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The person's id behind a login the platform owns, or null for any other Grafana user. */
export function personIdOf(login: string): string | null {
  return PERSON_LOGIN.exec(login)?.[1] ?? null;
}

/** Whom Grafana's auth proxy is told a request comes from: a person (whose Grafana user sync keeps exact), or a shared login. */
export type GrafanaIdentity = { kind: 'person'; userId: string; login: string } | { kind: 'shared'; login: string };

/**
 * A person: their own login. The legacy paths keep a shared one: a client key's session the `client-<id>` user, the
 * admin key's session (and the open demo admin, which has no session and so never reaches Grafana) the operator login,
 * the Grafana admin. API tokens never reach Grafana (it takes browser sessions only): null, and the proxy refuses.
 */
export function grafanaIdentityOf(principal: Principal, operatorLogin: string): GrafanaIdentity | null {
  const { actor, userId, clients } = principal;
  if (actor.kind === 'user' && userId !== null) return { kind: 'person', userId, login: personLogin(userId) };
  if (actor.kind !== 'key' && actor.kind !== 'open') return null;
  if (clients === 'all') return { kind: 'shared', login: operatorLogin };
  const ids = [...clients.keys()];
  return ids.length === 1 ? { kind: 'shared', login: grafanaLoginFor(ids[0]!) } : null;
}
