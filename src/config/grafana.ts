import { randomBytes } from 'node:crypto';
import { readBool, readString, type Env, type Problems } from './env.ts';

/** How the platform reaches Grafana (sync and proxy). Grafana is optional: without `GRAFANA_URL` its paths answer 503. */
export interface GrafanaConfig {
  /** Grafana's own address as the API server sees it (e.g. http://grafana:3000); never shown to browsers. */
  url: string | null;
  adminUser: string;
  adminPassword: string | null;
  /** The PostgreSQL data source has this uid in every organization, so dashboards can name it. */
  datasourceUid: string;
  /** Run `grafana:sync` at start-up. */
  syncOnStart: boolean;
  /**
   * `GRAFANA_ALLOW_WRITABLE_DATASOURCE=1`: sync and provision a data source whose database role fails the read-only
   * check (or cannot be checked), with a warning. Off by default: Viewers can run any SQL with that role.
   */
  allowWritableDatasource: boolean;
}

/** Where Grafana is served under this platform's origin; Grafana's root_url must end with it. */
export const GRAFANA_PUBLIC_PATH = '/grafana/';

export function parseGrafanaConfig(env: Env, problems: Problems): GrafanaConfig {
  const url = readString(env, 'GRAFANA_URL') ?? null;
  if (url !== null && !/^https?:\/\/[^/]+/.test(url)) problems.add('GRAFANA_URL', 'must be an http(s) URL');
  const adminPassword = readString(env, 'GRAFANA_ADMIN_PASSWORD') ?? null;
  const syncOnStart = readBool(env, 'GRAFANA_SYNC_ON_START', problems) ?? false;
  if (syncOnStart && (!url || !adminPassword)) {
    problems.add('GRAFANA_SYNC_ON_START', 'needs GRAFANA_URL and GRAFANA_ADMIN_PASSWORD');
  }
  return {
    url: url?.replace(/\/+$/, '') ?? null,
    adminUser: readString(env, 'GRAFANA_ADMIN_USER') ?? 'admin',
    adminPassword,
    datasourceUid: readString(env, 'GRAFANA_DATASOURCE_UID') ?? 'chatbot-analytics-pg',
    syncOnStart,
    allowWritableDatasource: readBool(env, 'GRAFANA_ALLOW_WRITABLE_DATASOURCE', problems) ?? false,
  };
}

/** Signs session cookies. Required in production; elsewhere a random one (sessions end with the process). */
export function readSessionSecret(env: Env, production: boolean, problems: Problems): string {
  const secret = readString(env, 'SESSION_SECRET');
  if (secret && secret.length < 32) problems.add('SESSION_SECRET', 'must be at least 32 characters');
  if (!secret && production) problems.add('SESSION_SECRET', 'is required when NODE_ENV=production');
  return secret ?? randomBytes(32).toString('hex');
}
