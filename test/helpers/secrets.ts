/** Secrets the process-level tests give to spawned servers; the global log scan looks for them too. */
export const START_ADMIN_KEY = 'admin-key-for-the-start-test';
export const START_MAPLE_KEY = 'maple-key-for-the-start-test';
export const GRAFANA_ADMIN_PASSWORD = 'grafana-admin-secret';
export const DEAD_DB_PASSWORD = 's3cret-password';

/** Every test person's password (test/helpers/people.ts). */
export const PERSON_PASSWORD = 'quiet-lantern-orbit-4417';
export const SPAWNED_SECRETS = [START_ADMIN_KEY, START_MAPLE_KEY, GRAFANA_ADMIN_PASSWORD, DEAD_DB_PASSWORD, PERSON_PASSWORD];
