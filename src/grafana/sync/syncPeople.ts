import { personIdOf } from '../logins.ts';
import type { GrafanaPerson } from '../people.ts';
import { ensurePerson, listPersonUsers, removeUser } from './ensurePerson.ts';
import { GrafanaSyncError, type GrafanaClient } from './grafanaClient.ts';

/** Where the people come from: the platform database, read afresh for each person just before their Grafana user is touched. */
export interface PeopleSource {
  /** Everyone the platform holds now. */
  ids(): Promise<string[]>;
  /** How Grafana should hold this person now; null: not at all (removed, disabled, or no client of theirs in Grafana). */
  desired(userId: string): Promise<GrafanaPerson | null>;
}

export interface PeopleReport {
  created: number;
  updated: number;
  unchanged: number;
  /** Grafana users of people who are gone, disabled or see no client in Grafana: deleted. */
  removed: number;
  warnings: string[];
  failures: { login: string; message: string }[];
  /** Write requests sent to Grafana. */
  writes: number;
}

/**
 * Brings every person's Grafana user in line (see `ensurePerson`) and deletes the Grafana users the platform owns
 * that no person should have. Only `person-<uuid>` users are touched. Each person is read again just before their
 * turn, so a run that started before a change never undoes it. Idempotent: a second run sends no write request.
 */
export async function syncPeople(api: GrafanaClient, source: PeopleSource, log: (message: string) => void): Promise<PeopleReport> {
  const report: PeopleReport = { created: 0, updated: 0, unchanged: 0, removed: 0, warnings: [], failures: [], writes: 0 };
  const writesBefore = api.writes;
  const owned = new Map((await listPersonUsers(api)).map((user) => [personIdOf(user.login)!, user]));
  const ids = new Set([...(await source.ids()), ...owned.keys()]);
  for (const id of ids) {
    const existing = owned.get(id) ?? null;
    try {
      const person = await source.desired(id);
      if (person) {
        const result = await ensurePerson(api, person, existing);
        report[result.outcome === 'created' ? 'created' : result.outcome === 'updated' ? 'updated' : 'unchanged']++;
        for (const warning of result.warnings) report.warnings.push(warning);
        if (result.outcome !== 'unchanged') log(`${person.login}: ${result.outcome}, Viewer of org ${person.orgIds.join(', ')} only`);
      } else if (existing) {
        await removeUser(api, existing);
        report.removed++;
        log(`${existing.login}: removed (no access in Grafana any more)`);
      }
    } catch (error) {
      if (error instanceof GrafanaSyncError) throw error; // unreachable or credentials gone: no point going on
      const login = existing?.login ?? `person-${id}`;
      report.failures.push({ login, message: (error as Error).message });
      log(`FAILED ${login}: ${(error as Error).message}`);
    }
  }
  report.writes = api.writes - writesBefore;
  return report;
}

export function formatPeopleReport(report: PeopleReport): string {
  const lines = [`Grafana people: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.removed} removed, ${report.writes} write request(s)`];
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  for (const failure of report.failures) lines.push(`FAILED: ${failure.login}: ${failure.message}`);
  return lines.join('\n');
}
