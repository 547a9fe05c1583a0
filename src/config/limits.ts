import { readBool, readInt, readString, type Env, type Problems } from './env.ts';

/** Abuse limits and browser access rules. */
export interface LimitsConfig {
  /** Requests per minute per credential (a valid key or session), or per IP without one. */
  requestsPerMinute: number;
  /** Sign-in attempts per minute per IP. */
  loginAttemptsPerMinute: number;
  /** Origins allowed to call the API from a browser (CORS); empty: same origin only. */
  corsOrigins: string[];
  /** Behind a load balancer: take the client IP from X-Forwarded-For. */
  trustProxy: boolean;
}

export function parseLimits(env: Env, problems: Problems): LimitsConfig {
  const corsOrigins = (readString(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) problems.add('CORS_ORIGINS', `"${origin}" is not an origin like https://app.example.com`);
  }
  return {
    requestsPerMinute: readInt(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000_000, problems),
    loginAttemptsPerMinute: readInt(env, 'LOGIN_ATTEMPTS_PER_MINUTE', 10, 1, 10_000, problems),
    corsOrigins,
    trustProxy: readBool(env, 'TRUST_PROXY', problems) ?? false,
  };
}
