import type { Static } from 'typebox';
import type { AdminClientBody, ConnectionCheckBody } from '../../http/schemas/adminClients.ts';
import type { MeBody } from '../../http/schemas/me.ts';
import type { PersonBody } from '../../http/schemas/people.ts';
import type { CreatedTokenBody, TokenBody } from '../../http/schemas/tokens.ts';
import type { DeliveryBody, InvitationBody } from '../../http/routes/invitations.ts';
import { ApiFailure } from '../app/api.ts';

export { ApiFailure };

/** The JSON API's answers the settings pages read, typed from the schemas the server validates them with. */
export type Me = Static<typeof MeBody>;
export type Person = Static<typeof PersonBody>;
export type Invitation = Static<typeof InvitationBody>;
export type Delivery = Static<typeof DeliveryBody>;
export type Token = Static<typeof TokenBody>;
export type CreatedToken = Static<typeof CreatedTokenBody>;
export type AdminClient = Static<typeof AdminClientBody>;
export type ConnectionCheck = Static<typeof ConnectionCheckBody>;
export type ClientRole = Person['clients'][string];
export type Role = Person['role'];

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * A request to our own JSON API (same origin: the session cookie goes along). Anything but a 2xx throws an
 * `ApiFailure` with the API's own code and message (a 400 names the field); no answer at all is `NETWORK`.
 */
export async function call<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(null, 'NETWORK', 'The server could not be reached. Check the connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const answer = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (response.ok && answer !== null) return answer as T;
  throw new ApiFailure(response.status, answer?.error?.code ?? 'UNEXPECTED', answer?.error?.message ?? `The server answered HTTP ${response.status}`);
}
