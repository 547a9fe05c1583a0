import type { Jobs } from '../jobs/jobs.ts';
import type { RollupRefresher } from './rollupRefresher.ts';

/** A pass: one `rollups.refresh-client` job per client, so replicas share the clients and a slow one holds no other. */
export const REFRESH_PASS = 'rollups.refresh';
export const REFRESH_CLIENT = 'rollups.refresh-client';

export interface RollupJobsDeps {
  refresher: RollupRefresher;
  /** The clients to keep current, asked at every pass (the registry changes at runtime). */
  clientIds: () => readonly string[];
  /** `ROLLUP_REFRESH_SECONDS`: the schedule, in whole minutes (0: no schedule, only passes asked for). */
  refreshSeconds: number;
}

export interface RollupJobs {
  /** Asks for a pass soon (start-up, a client added or moved); one waiting pass is enough whoever asks. */
  requestPass(): Promise<void>;
}

/** Cron for "every `seconds`", in the whole minutes (or hours) cron can say: 60 s or less is every minute. */
export function refreshCron(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = Math.round(minutes / 60);
  return hours < 24 ? `0 */${hours} * * *` : '0 0 * * *';
}

export async function registerRollupJobs(jobs: Jobs, deps: RollupJobsDeps): Promise<RollupJobs> {
  // 'started': a pass asked for while one runs still happens after it (the registry may have changed meanwhile).
  await jobs.define(REFRESH_PASS, { retryLimit: 1, retryDelaySeconds: 5, expireInSeconds: 60, singletonUntil: 'started' });
  // A full build of a large client is long; a refresh that died is retried, and the next pass would do it anyway.
  await jobs.define(REFRESH_CLIENT, { retryLimit: 1, retryDelaySeconds: 30, expireInSeconds: 1800, singletonUntil: 'started' });

  await jobs.work<Record<string, never>>(REFRESH_PASS, async () => {
    for (const clientId of deps.clientIds()) await jobs.send(REFRESH_CLIENT, { clientId }, { singletonKey: clientId });
  });
  // Failures are logged by the refresher and tried again by the next pass, as before: a down client is no error here.
  await jobs.work<{ clientId: string }>(REFRESH_CLIENT, async ({ clientId }) => {
    if (deps.clientIds().includes(clientId)) await deps.refresher.refreshClient(clientId);
  });
  if (deps.refreshSeconds > 0) await jobs.every(REFRESH_PASS, refreshCron(deps.refreshSeconds), {}, { key: 'periodic' });

  const requestPass = async () => {
    await jobs.send(REFRESH_PASS, {}, { singletonKey: 'requested' });
  };
  return { requestPass };
}
