import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LimitsConfig } from '../config/limits.ts';
import { ApiError } from './errors.ts';

/** Longest request target we read; longer ones are refused before routing (Node allows ~16 KB of headers). */
export const MAX_URL_LENGTH = 4096;

/**
 * The rate-limit bucket: who is asking when they proved it (resolved just before), else the IP — so random wrong
 * credentials share the IP's bucket, and the open demo is limited per IP too.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const actor = request.principal?.actor;
  return actor && actor.kind !== 'open' ? `${actor.kind}:${actor.id ?? actor.label}` : `ip:${request.ip}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request that changes something, from a browser (a cookie, not a bearer credential), must come from a page of this
 * site: its `Origin` (or, without one, `Sec-Fetch-Site`) says where the page was. The host is compared, not the
 * scheme, so a TLS-terminating load balancer needs no configuration; `PUBLIC_URL`'s host counts as ours too.
 * Login forms are covered as well: a cross-site form must not sign a victim in as the attacker.
 */
/** `URL` drops a scheme's default port from an origin (`http://a:80` → `a`); a Host header may carry it. */
const withoutDefaultPort = (host: string) => host.replace(/:(80|443)$/, '');

export function assertSameOrigin(request: FastifyRequest, publicHost: string | null): void {
  if (SAFE_METHODS.has(request.method) || request.principal?.via === 'bearer') return;
  const origin = request.headers.origin;
  const fetchSite = request.headers['sec-fetch-site'];
  let sameSite: boolean;
  // Browsers send `Origin: null` for a form under a no-referrer policy (helmet's default): then Sec-Fetch-Site decides.
  if (origin !== undefined && origin !== 'null') {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      host = null;
    }
    sameSite = host !== null && (host === withoutDefaultPort(request.host) || host === publicHost);
  } else {
    sameSite = fetchSite === 'same-origin';
  }
  if (!sameSite) throw new ApiError(403, 'CROSS_SITE_REQUEST', 'This request must come from a page of this site');
}

/**
 * Security headers (helmet; pages set their own Content-Security-Policy), CORS for configured origins only, and rate
 * limits per credential or IP with 429 + Retry-After. Registered before authentication so 401 floods are limited too.
 */
export async function installSecurity(app: FastifyInstance, limits: LimitsConfig, production: boolean) {
  await app.register(helmet, {
    contentSecurityPolicy: false,
    hsts: production ? { maxAge: 15552000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  await app.register(cors, {
    origin: limits.corsOrigins.length > 0 ? limits.corsOrigins : false,
    methods: ['GET', 'HEAD'],
    allowedHeaders: ['Authorization', 'Accept'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: true,
    max: limits.requestsPerMinute,
    timeWindow: '1 minute',
    keyGenerator: rateLimitKey,
    // Thrown, so the one error handler gives it the usual shape.
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'RATE_LIMITED', `Too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
}
