import type { FastifyError, FastifyInstance } from 'fastify';
import { InvalidParameterError } from '../analytics/errors.ts';
import { SourceUnavailableError } from '../tenants/clientSource.ts';
import { ClientDatabaseError, type DatabaseFailure } from '../tenants/connections/databaseErrors.ts';

/** An error meant for the caller: its message is safe to show. */
export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`);

const STATUS: Record<DatabaseFailure, [number, string]> = {
  DATABASE_NOT_CONFIGURED: [503, 'DATABASE_NOT_CONFIGURED'],
  DATABASE_UNAVAILABLE: [503, 'DATABASE_UNAVAILABLE'],
  PERMISSION_DENIED: [503, 'DATABASE_UNAVAILABLE'],
  DATABASE_BUSY: [503, 'DATABASE_BUSY'],
  QUERY_TIMEOUT: [504, 'QUERY_TIMEOUT'],
  SCHEMA_UNAVAILABLE: [503, 'SCHEMA_UNAVAILABLE'],
  INVALID_VALUE: [400, 'INVALID_PARAMETER'],
};

/** Seconds a caller should wait after DATABASE_BUSY: a queue of requests drains in about that long. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * The answer for a failure of a client's database. Only errors classified on the way to that database qualify
 * (`ClientDatabaseError`), so nothing else is ever reported as the database's fault.
 */
export function databaseFailure(error: unknown): ApiError | null {
  if (error instanceof SourceUnavailableError) return new ApiError(503, 'SCHEMA_UNAVAILABLE', error.message);
  if (!(error instanceof ClientDatabaseError)) return null;
  const [status, code] = STATUS[error.failure];
  return new ApiError(status, code, error.message);
}

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const { missingProperty, additionalProperty } = first.params as { missingProperty?: string; additionalProperty?: string };
  const path = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  // A field that is missing or not allowed is named itself (`clients.gamma`), not the object holding it.
  const named = missingProperty ?? additionalProperty;
  const field = (named !== undefined ? [path, named].filter(Boolean).join('.') : path) || error.validationContext || 'request';
  return `${field}: ${first.message ?? 'is invalid'}`;
}

/** One error shape for everything: `{ error: { code, message } }`; unexpected errors are logged and hidden. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply.status(400).send({ error: { code: 'INVALID_PARAMETER', message: validationMessage(error) } });
    }
    if (error instanceof InvalidParameterError) {
      return reply.status(400).send({ error: { code: 'INVALID_PARAMETER', message: error.message } });
    }
    const known = error instanceof ApiError ? error : databaseFailure(error);
    if (known) {
      if (known.statusCode >= 500) request.log.warn({ code: known.code, dbCode: (error as { dbCode?: string }).dbCode }, known.message);
      if (known.code === 'DATABASE_BUSY') void reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
      return reply.status(known.statusCode).send({ error: { code: known.code, message: known.message } });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: { type: error.name, code: error.code, stack: error.stack } }, 'unexpected error');
      return reply.status(500).send({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    }
    return reply.status(status).send({ error: { code: error.code ?? 'BAD_REQUEST', message: error.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)} not found` } });
  });
}
