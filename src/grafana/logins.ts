import type { Principal } from '../access/principal.ts';

/** The Grafana user each client signs in as through the auth proxy; `grafana:sync` creates it as a Viewer of its org only. */
export const grafanaLoginFor = (clientId: string) => `client-${clientId}`;

/** Admins and operators of every client are proxied as the Grafana admin; anyone else as the Viewer of their client. */
export function grafanaLoginOf(principal: Principal, operatorLogin: string): string {
  if (principal.clients === 'all') return operatorLogin;
  const [first] = principal.clients.keys();
  return grafanaLoginFor(first ?? 'none');
}
