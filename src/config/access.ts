import { readInt, readString, type Env, type Problems } from './env.ts';

/** Accounts: the first admin, how long browser sessions last, and this platform's public address. */
export interface AccessConfig {
  /** `ADMIN_EMAIL` + `ADMIN_PASSWORD`: the first admin, created when no person exists yet (as Grafana does). */
  bootstrapAdmin: { email: string; password: string } | null;
  sessionIdleHours: number;
  sessionMaxDays: number;
  /** `PUBLIC_URL`: the address people use (links in emails; same-site checks behind proxies). */
  publicUrl: string | null;
}

export function parseAccess(env: Env, problems: Problems): AccessConfig {
  const email = readString(env, 'ADMIN_EMAIL');
  const password = readString(env, 'ADMIN_PASSWORD');
  if (Boolean(email) !== Boolean(password)) problems.add(email ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', 'ADMIN_EMAIL and ADMIN_PASSWORD go together');
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problems.add('ADMIN_EMAIL', 'is not an email address');
  const publicUrl = readString(env, 'PUBLIC_URL')?.replace(/\/+$/, '') ?? null;
  if (publicUrl !== null && !/^https?:\/\/[^/\s]+$/.test(publicUrl)) problems.add('PUBLIC_URL', 'must be an origin like https://analytics.example.com');
  return {
    bootstrapAdmin: email && password ? { email, password } : null,
    sessionIdleHours: readInt(env, 'SESSION_IDLE_HOURS', 7 * 24, 1, 24 * 365, problems),
    sessionMaxDays: readInt(env, 'SESSION_MAX_DAYS', 30, 1, 365, problems),
    publicUrl,
  };
}
