import type { Principal } from '../access/principal.ts';
import { accessSignature, userById } from '../access/users.ts';
import type { Queryable } from '../db/queryable.ts';
import type { ClientLookup } from '../tenants/clientRegistry.ts';
import { grafanaPersonOf, orgIdsOf, peopleSource } from './people.ts';
import { ensurePerson } from './sync/ensurePerson.ts';
import { GrafanaClient } from './sync/grafanaClient.ts';
import { syncPeople, type PeopleReport } from './sync/syncPeople.ts';

/** Who the auth proxy is told a person is. */
export interface GrafanaSignIn {
  login: string;
  name: string;
}

/** A person's Grafana user, once made right for their access, is trusted this long before it is checked again. */
const RECHECK_AFTER_MS = 60_000;
const REMEMBERED_PEOPLE = 10_000;

interface Ensured {
  /** The organizations it was made right for. */
  key: string;
  until: number;
  done: Promise<GrafanaSignIn | null>;
}

/**
 * People's own Grafana users. The proxy calls `ensure` before it forwards a person's request: their user and
 * memberships are made exactly right first — once per change of their access, and again at most a minute later — so
 * nobody sees an organization they may not, not even before the background sync has run, and access taken away ends
 * at their next request. `syncAll` brings everyone in line (the follower runs it when people or clients change).
 */
export class GrafanaPeople {
  private readonly api: GrafanaClient;
  private readonly ensured = new Map<string, Ensured>();

  constructor(
    grafana: { url: string; adminUser: string; adminPassword: string },
    private readonly db: Queryable,
    private readonly clients: ClientLookup,
    private readonly options: { warn?: (message: string) => void; fetch?: typeof globalThis.fetch } = {},
  ) {
    this.api = new GrafanaClient({ url: grafana.url, user: grafana.adminUser, password: grafana.adminPassword, fetch: options.fetch });
  }

  /** The person's Grafana sign-in, their user made right first; null when no client they may see is in Grafana. */
  ensure(principal: Principal & { userId: string }): Promise<GrafanaSignIn | null> {
    const { userId } = principal;
    const key = orgIdsOf(principal, this.clients.list()).join(',');
    if (key === '') return Promise.resolve(null);
    const known = this.ensured.get(userId);
    if (known && known.key === key && known.until > Date.now()) return known.done;
    const done = this.ensureNow(userId);
    this.ensured.delete(userId); // re-inserted last: the oldest entries are the first to go
    this.ensured.set(userId, { key, until: Date.now() + RECHECK_AFTER_MS, done });
    if (this.ensured.size > REMEMBERED_PEOPLE) this.ensured.delete(this.ensured.keys().next().value!);
    done.catch(() => {
      if (this.ensured.get(userId)?.done === done) this.ensured.delete(userId); // the next request tries again
    });
    return done;
  }

  /**
   * Every person, and every Grafana user the platform owns, brought in line. Afterwards each person is checked again
   * at their next request: what the proxy remembered (their name, say) may be older than what the sync just wrote.
   */
  async syncAll(log: (message: string) => void): Promise<PeopleReport> {
    try {
      return await syncPeople(this.api, peopleSource(this.db, () => this.clients.list()), log);
    } finally {
      this.ensured.clear();
    }
  }

  /** Changes whenever people's access changes (polled by the follower). */
  signature(): Promise<string> {
    return accessSignature(this.db);
  }

  /** Read from the platform database, not the principal: it is what `syncAll` would make of them too. */
  private async ensureNow(userId: string): Promise<GrafanaSignIn | null> {
    const user = await userById(this.db, userId);
    const person = user && grafanaPersonOf(user, this.clients.list());
    if (!person) return null;
    const { warnings } = await ensurePerson(this.api, person);
    for (const warning of warnings) this.options.warn?.(warning);
    return { login: person.login, name: person.name };
  }
}
