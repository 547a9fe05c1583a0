import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LimitsConfig } from '../config/limits.ts';
import { principalOf } from './auth.ts';
import { type KeyRing } from '../access/apiKeys.ts';
import { ApiError } from './errors.ts';

/** Longest request target we read; longer ones are refused before routing (Node allows ~16 KB of headers). */
export const MAX_URL_LENGTH = 4096;

/** The rate-limit bucket: the credential when it is valid, else the IP (so random wrong keys share the IP's bucket). */
export function rateLimitKey(request: FastifyRequest, keys: KeyRing): string {
  try {
    const principal = principalOf(request, keys);
    if (principal) return principal.role === 'operator' ? 'operator' : `client:${principal.clientId}`;
  } catch {
    // an invalid key: counted against the IP below
  }
  return `ip:${request.ip}`;
}

/**
 * Security headers (helmet; pages set their own Content-Security-Policy), CORS for configured origins only, and rate
 * limits per credential or IP with 429 + Retry-After. Registered before authentication so 401 floods are limited too.
 */
export async function installSecurity(app: FastifyInstance, limits: LimitsConfig, keys: KeyRing, production: boolean) {
  app.addHook('onRequest', async (request) => {
    if (request.url.length > MAX_URL_LENGTH) throw new ApiError(414, 'URI_TOO_LONG', `The URL may be at most ${MAX_URL_LENGTH} characters`);
  });
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
    keyGenerator: (request) => rateLimitKey(request, keys),
    // Thrown, so the one error handler gives it the usual shape.
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'RATE_LIMITED', `Too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
}
