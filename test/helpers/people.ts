import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../src/access/passwords.ts';
import type { ClientRole, Role } from '../../src/access/principal.ts';
import { createUser, type User } from '../../src/access/users.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';
import { runtimeOf } from './buildTestApp.ts';
import { SAME_ORIGIN } from './sessionCookies.ts';

/** A password that passes the policy, used for every test person (the log scan fails a run that prints it). */
export { PERSON_PASSWORD } from './secrets.ts';
import { PERSON_PASSWORD } from './secrets.ts';

export interface PersonSpec {
  email: string;
  role: Role;
  clients?: Record<string, ClientRole>;
  allClients?: boolean;
}

/** Creates a person with `PERSON_PASSWORD` straight in the app's platform database. */
export async function addPerson(app: FastifyInstance, spec: PersonSpec): Promise<User> {
  const user = await createUser(runtimeOf(app).platform.pool, {
    email: spec.email, name: spec.email.split('@')[0]!, role: spec.role, allClients: spec.allClients ?? false,
    clients: spec.clients ?? {}, passwordHash: await hashPassword(PERSON_PASSWORD),
  });
  if (!user) throw new Error(`${spec.email} exists already`);
  return user;
}

/** Signs a person in through `POST /api/session`, as the browser app does; returns the session cookie. */
export async function signInPerson(app: FastifyInstance, email: string, password = PERSON_PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, headers: SAME_ORIGIN });
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(String(res.headers['set-cookie'] ?? ''))?.[1];
  if (res.statusCode !== 200 || !value) throw new Error(`sign-in of ${email} failed: ${res.statusCode} ${res.body}`);
  return `${SESSION_COOKIE}=${value}`;
}

/** Headers for a browser request of a signed-in person from one of our own pages. */
export const asBrowser = (cookie: string) => ({ cookie, ...SAME_ORIGIN });
