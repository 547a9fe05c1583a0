/** Secrets the process-level tests give to spawned servers; the global log scan looks for them too. */
export const START_ADMIN_KEY = 'admin-key-for-the-start-test';
export const START_MAPLE_KEY = 'maple-key-for-the-start-test';
export const GRAFANA_ADMIN_PASSWORD = 'grafana-admin-secret';
export const DEAD_DB_PASSWORD = 's3cret-password';

/** Every test person's password (test/helpers/people.ts). */
export const PERSON_PASSWORD = 'quiet-lantern-orbit-4417';
/** The password the security tests set (a change, an accepted invitation, a reset): the policy accepts it. */
export const NEW_PASSWORD = 'Tq8#vLp2@xR9';
/** The single sign-on tests' client secret at their OpenID provider (test/access/sso.test.ts). */
export const OIDC_CLIENT_SECRET = 'oidc-client-secret-3f9a1c7e5b2d';
/**
 * ENCRYPTION_KEYS of the tests of clients managed in the product (base64 of 32 bytes each), and the password in the
 * database URLs they save (trust auth ignores it; it must never show in clear).
 */
export const MASTER_KEYS = {
  k1: 'X43FAV8kcio9dGu8BXvJi5ifdXzj1DcVtRh06Lnlrzo=',
  k2: 'Bj1S3HqF2BjDVkq0XD6yr7Pc4iuAWooCG5vB7+C4jEg=',
  old: 'fmPdgkl8d98BC/fb5bF1f9DFpLQUR62HxkENTsQK97k=',
};
export const CLIENT_DB_PASSWORD = 'client-db-pw-Zq81vXw3';
/** METRICS_TOKEN of the metrics tests: it must never be logged (a wrong one neither). */
export const METRICS_TOKEN = 'metrics-token-for-the-tests-7c1e';
export const SPAWNED_SECRETS = [...Object.values(MASTER_KEYS), CLIENT_DB_PASSWORD, METRICS_TOKEN, START_ADMIN_KEY, START_MAPLE_KEY, GRAFANA_ADMIN_PASSWORD, DEAD_DB_PASSWORD, PERSON_PASSWORD, NEW_PASSWORD, OIDC_CLIENT_SECRET];
