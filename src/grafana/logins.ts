import type { Principal } from '../access/principal.ts';

/** The Grafana user each client signs in as through the auth proxy; `grafana:sync` creates it as a Viewer of its org only. */
export const grafanaLoginFor = (clientId: string) => `client-${clientId}`;

/** Operators are proxied as the Grafana admin, clients as their own Viewer user. */
export function grafanaLoginOf(principal: Principal, operatorLogin: string): string {
  return principal.role === 'operator' ? operatorLogin : grafanaLoginFor(principal.clientId);
}
