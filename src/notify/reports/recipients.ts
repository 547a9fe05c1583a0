import { listUsers, type User } from '../../access/users.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { ReportSchedule } from './reportSchedules.ts';

/** Who gets a report, and which clients each may see in it ('all', or these ids). */
export interface Recipient {
  email: string;
  clients: 'all' | ReadonlySet<string>;
}

const active = (users: User[]) => users.filter((u) => !u.disabled);

/**
 * A client's report goes to the chosen addresses, else to the people given that client (its members, and operators
 * assigned to it); the digest to the chosen addresses (chosen by an admin: the whole portfolio), else to every
 * operator and admin, each seeing only the clients they may see.
 */
export async function recipientsOf(db: Queryable, schedule: ReportSchedule): Promise<Recipient[]> {
  if (schedule.recipients !== null) return schedule.recipients.map((email) => ({ email, clients: 'all' }));
  const users = active(await listUsers(db));
  if (schedule.kind !== 'digest') {
    return users.filter((u) => schedule.clientId in u.clients).map((u) => ({ email: u.email, clients: new Set([schedule.clientId]) }));
  }
  return users.filter((u) => u.role !== 'member')
    .map((u) => ({ email: u.email, clients: u.role === 'admin' || u.allClients ? 'all' as const : new Set(Object.keys(u.clients)) }));
}

const ADDRESS = /^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$/;

/** Why `addresses` cannot be a report's recipients, or null: at most 50 plain addresses, no repeats. */
export function recipientsProblem(addresses: readonly string[]): string | null {
  if (addresses.length > 50) return 'may list at most 50 addresses';
  const bad = addresses.find((a) => !ADDRESS.test(a) || a.length > 254);
  if (bad !== undefined) return `"${bad.slice(0, 80)}" is not an email address`;
  if (new Set(addresses.map((a) => a.toLowerCase())).size !== addresses.length) return 'lists an address twice';
  return null;
}
