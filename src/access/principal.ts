/** Who is asking: an operator sees every client, a client only itself. */
export type Principal = { role: 'operator' } | { role: 'client'; clientId: string };

export function canSee(principal: Principal, clientId: string): boolean {
  return principal.role === 'operator' || principal.clientId === clientId;
}
