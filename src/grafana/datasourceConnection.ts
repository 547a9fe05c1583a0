import type pg from 'pg';
import { connectClient } from '../db/pool.ts';
import type { DatasourceSettings } from './sync/datasourceSettings.ts';

/**
 * A connection made exactly as Grafana's data source will make it — the same host, port, user, database and
 * sslmode meaning — so what the role check and the dashboard's schema detection see is what Grafana will see.
 */
export function connectAsDatasource(settings: DatasourceSettings, connectTimeoutMs: number, applicationName: string): Promise<pg.Client> {
  return connectClient({
    host: settings.host, port: settings.port, user: settings.user || undefined, password: settings.password || undefined,
    database: settings.database, ssl: sslOption(settings.sslmode), connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: 5000, application_name: applicationName,
  });
}

/** Grafana's sslmode meanings (libpq's): `require` encrypts without verifying; the verify modes use Node's CAs. */
function sslOption(sslmode: string): pg.ClientConfig['ssl'] {
  if (sslmode === 'disable') return false;
  if (sslmode === 'require') return { rejectUnauthorized: false };
  if (sslmode === 'verify-ca') return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { rejectUnauthorized: true };
}

const SERVER_ERRORS: Record<string, string> = {
  '28P01': 'the password was refused',
  '28000': 'the login was refused (pg_hba.conf)',
  '3D000': 'the database does not exist',
  '53300': 'the server has too many connections',
  '57P03': 'the server is starting up',
};

/** Codes and fixed words only: driver messages can name the host. */
export function connectProblem(error: unknown, timeoutMs: number): string {
  const { code, message = '' } = error as { code?: string; message?: string };
  if (code && SERVER_ERRORS[code]) return SERVER_ERRORS[code];
  if (code) return `cannot connect (${code})`;
  if (/timeout/i.test(message)) return `no answer within ${timeoutMs} ms`;
  if (/does not support SSL/i.test(message)) return "the server does not support SSL (see the URL's sslmode)";
  return 'cannot connect';
}
