import { clientGrafanaDbVariable } from '../../config/env.ts';
import { DATASOURCE_TYPE } from '../buildDashboard.ts';

/** The one place that knows how a client's PostgreSQL data source looks in Grafana (sync and provisioning use it). */
export const DATASOURCE_NAME = 'Chatbot PostgreSQL';
/** Grafana's encoding of the server version (1500 = PostgreSQL 15); it only tunes the query editor's features. */
export const POSTGRES_VERSION = 1500;
const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'];

/** Connection details from a postgres:// URL. `password` is a secret: it goes into secureJsonData only. */
export interface DatasourceSettings {
  /** host:port, as Grafana's PostgreSQL data source wants it. */
  url: string;
  /** The same host and port apart, for connecting the way Grafana will (the role check). */
  host: string;
  port: number;
  user: string;
  database: string;
  sslmode: string;
  password: string;
}

/** The non-secret part of the data source, exactly as we want Grafana to hold it. */
export interface DatasourceModel {
  uid: string;
  name: string;
  type: string;
  access: 'proxy';
  url: string;
  user: string;
  isDefault: boolean;
  jsonData: { database: string; sslmode: string; postgresVersion: number; timescaledb: boolean };
}

/** Parses a client's data-source URL; errors name the variable, never the value (it holds a password). */
export function parseDatasourceUrl(clientId: string, dbUrl: string): DatasourceSettings {
  const source = `the data-source URL of "${clientId}" (${clientGrafanaDbVariable(clientId)} or its *_DB_URL)`;
  let parsed: URL;
  try {
    parsed = new URL(dbUrl);
  } catch {
    throw new Error(`${source} is not a valid URL`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new Error(`${source} must be a postgres:// URL`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname || !database) throw new Error(`${source} needs a host and a database name`);
  const sslmode = parsed.searchParams.get('sslmode') ?? 'disable';
  if (!SSL_MODES.includes(sslmode)) {
    throw new Error(`${source} has sslmode=${sslmode}; Grafana's PostgreSQL data source takes ${SSL_MODES.join(', ')}`);
  }
  return {
    url: `${parsed.hostname}:${parsed.port || '5432'}`,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 literals come bracketed
    port: Number(parsed.port || '5432'),
    user: decodeURIComponent(parsed.username),
    database,
    sslmode,
    password: decodeURIComponent(parsed.password),
  };
}

export function datasourceModel(uid: string, settings: DatasourceSettings): DatasourceModel {
  return {
    uid,
    name: DATASOURCE_NAME,
    type: DATASOURCE_TYPE,
    access: 'proxy',
    url: settings.url,
    user: settings.user,
    isDefault: true,
    jsonData: { database: settings.database, sslmode: settings.sslmode, postgresVersion: POSTGRES_VERSION, timescaledb: false },
  };
}
