import type { FastifyError, FastifyInstance } from 'fastify';
import { InvalidParameterError } from '../analytics/errors.ts';
import { SourceUnavailableError } from '../tenants/clientSource.ts';
import { DatabaseNotConfiguredError } from '../tenants/clientDatabases.ts';

/** An error meant for the caller: its message is safe to show. */
export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`);

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Maps a failure while talking to a client's database to a safe answer. PostgreSQL's own messages can carry
 * host names or SQL, so none of them is passed through.
 */
export function databaseFailure(error: unknown): ApiError | null {
  if (error instanceof DatabaseNotConfiguredError) return new ApiError(503, 'DATABASE_NOT_CONFIGURED', error.message);
  if (error instanceof SourceUnavailableError) return new ApiError(503, 'SCHEMA_UNAVAILABLE', error.message);
  const { code, message } = error as { code?: string; message?: string };
  if (code === '57014' || message === 'Query read timeout') {
    return new ApiError(504, 'QUERY_TIMEOUT', "The client's database did not answer in time");
  }
  if (code === '22023' && /time zone/i.test(message ?? '')) {
    return new ApiError(400, 'INVALID_PARAMETER', 'tz: the database does not know this time zone');
  }
  const connectionLost = /timeout exceeded when trying to connect|Connection terminated/i.test(message ?? '');
  // Data exceptions: a value we bound that the database could not read (a safety net behind our own checks).
  if (code && /^22/.test(code)) {
    return new ApiError(400, 'INVALID_PARAMETER', 'A parameter has a value the database cannot read');
  }
  if (code === '42501') {
    return new ApiError(503, 'DATABASE_UNAVAILABLE', "The platform's database user may not read this client's tables");
  }
  // 08 connection, 28 authentication, 3D missing database, 53 server out of resources, 57P server shutting down
  if ((code && (UNREACHABLE.has(code) || /^(08|28|3D|53|57P)/.test(code))) || connectionLost) {
    return new ApiError(503, 'DATABASE_UNAVAILABLE', "This client's database is unreachable");
  }
  // A table or column that disappeared; other 42xxx codes are our bugs and stay 500s.
  if (code === '42P01' || code === '42703') {
    return new ApiError(503, 'SCHEMA_UNAVAILABLE', "The client's tables do not have the expected layout");
  }
  return null;
}

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  const field = missing ?? (first.instancePath.replace(/^\//, '').replace(/\//g, '.') || error.validationContext || 'request');
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
      if (known.statusCode >= 500) request.log.warn({ code: known.code, dbCode: (error as { code?: string }).code }, known.message);
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
