import type { Principal } from '../../access/principal.ts';

/** What every page says about who is signed in (the open platform's visitors are its demo admin). */
export function signedInAs(actor: Principal['actor']): string {
  if (actor.kind === 'open') return 'Signed in as the demo admin';
  if (actor.kind === 'key') return `Signed in with the key ${actor.label}`;
  return `Signed in as ${actor.label}`;
}
