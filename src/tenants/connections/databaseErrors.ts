/**
 * Failures of a client's database, classified where the platform talks to it. Only errors raised on that path
 * become one of these, so nothing else (a request body cut short, a Redis reset) is ever labelled "database".
 * Messages are fixed and safe to show: PostgreSQL's own can carry host names or SQL.
 */
export type DatabaseFailure =
  | 'DATABASE_NOT_CONFIGURED'
  | 'DATABASE_UNAVAILABLE'
  | 'DATABASE_BUSY'
  | 'QUERY_TIMEOUT'
  | 'SCHEMA_UNAVAILABLE'
  | 'PERMISSION_DENIED'
  | 'INVALID_VALUE';

export class ClientDatabaseError extends Error {
  constructor(
    readonly failure: DatabaseFailure,
    message: string,
    /** PostgreSQL's SQLSTATE or Node's errno code, for logs and metrics; never shown. */
    readonly dbCode?: string,
  ) {
    super(message);
    this.name = 'ClientDatabaseError';
  }
}

export class DatabaseNotConfiguredError extends ClientDatabaseError {
  /** `problem`: why a stored database cannot be used (a URL that cannot be decrypted); safe to show. */
  constructor(clientId: string, problem?: string) {
    super('DATABASE_NOT_CONFIGURED', problem ? `Client "${clientId}": ${problem}` : `No database is configured for client "${clientId}"`);
  }
}

/** No connection could be had in time: this client (or its server) is at its budget. Retrying soon may work. */
export class DatabaseBusyError extends ClientDatabaseError {
  constructor(reason: 'queue' | 'server', dbCode?: string) {
    super('DATABASE_BUSY', reason === 'queue'
      ? "This client's database is busy with other requests; retry shortly"
      : "This client's database server has no connection to spare; retry shortly", dbCode);
  }
}

const NODE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const CONNECTION_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connection is closed/i;

/** The error means the connection itself is gone (or in an unknown state): never reuse it. */
export function breaksConnection(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (message === 'Query read timeout') return true; // the server may still be running it
  return classify(code, message ?? '')?.failure === 'DATABASE_UNAVAILABLE' || (code !== undefined && /^(08|57P)/.test(code));
}

/** Turns an error from a client database into a `ClientDatabaseError`; anything else (our own bugs) passes through. */
export function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof ClientDatabaseError) return error;
  const { code, message } = error as { code?: string; message?: string };
  return classify(code, message ?? '') ?? error;
}

function classify(code: string | undefined, message: string): ClientDatabaseError | null {
  if (code === '57014' || message === 'Query read timeout') return new ClientDatabaseError('QUERY_TIMEOUT', "The client's database did not answer in time", code);
  // 53300 too many connections, 53xxx out of resources: the server is busy, not gone.
  if (code && code.startsWith('53')) return new DatabaseBusyError('server', code);
  if (code === '22023' && /time zone/i.test(message)) return new ClientDatabaseError('INVALID_VALUE', 'tz: the database does not know this time zone', code);
  // Data exceptions: a value we bound that the database could not read (a safety net behind our own checks).
  if (code && code.startsWith('22')) return new ClientDatabaseError('INVALID_VALUE', 'A parameter has a value the database cannot read', code);
  if (code === '42501') return new ClientDatabaseError('PERMISSION_DENIED', "The platform's database user may not read this client's tables", code);
  // A table or column that disappeared; other 42xxx codes are our bugs and stay errors.
  if (code === '42P01' || code === '42703') return new ClientDatabaseError('SCHEMA_UNAVAILABLE', "The client's tables do not have the expected layout", code);
  // 08 connection, 28 authentication, 3D missing database, 57P server shutting down
  if ((code && (NODE_NETWORK_CODES.has(code) || /^(08|28|3D|57P)/.test(code))) || CONNECTION_MESSAGES.test(message)) {
    return new ClientDatabaseError('DATABASE_UNAVAILABLE', "This client's database is unreachable", code);
  }
  return null;
}
