import { grafanaDatasourceUrl, type ClientConfig } from '../config/clients.ts';
import { connectAsDatasource } from './datasourceConnection.ts';
import { parseDatasourceUrl } from './sync/datasourceSettings.ts';
import { describeSource, type ClientSource, type ColumnKind } from '../tenants/clientSource.ts';
import { assumedSource } from './buildDashboard.ts';

/**
 * What Grafana's data source will find in the client's database: the tables, optional columns and each timestamp
 * column's type, read with the data source's own role (a read-only role may see fewer tables than the API's user).
 * The registry's `timestampType`, when set, overrides the detected timestamp types. Without any database URL the
 * chatbot's standard layout is assumed.
 */
export async function detectDashboardSource(client: ClientConfig, connectTimeoutMs = 5000): Promise<ClientSource> {
  const url = grafanaDatasourceUrl(client);
  if (!url) return assumedSource(client);
  const db = await connectAsDatasource(parseDatasourceUrl(client.id, url), connectTimeoutMs, 'chatbot-analytics-grafana');
  try {
    return withTimestampOverride(await describeSource(db, client.database?.schema ?? 'public'), client.timestampType);
  } finally {
    await db.end();
  }
}

function withTimestampOverride(source: ClientSource, kind: ClientConfig['timestampType']): ClientSource {
  if (!kind) return source;
  const tables: ClientSource['tables'] = {};
  for (const [name, table] of Object.entries(source.tables)) {
    const columns = new Map<string, ColumnKind>([...table.columns].map(([column, k]) => [column, k === 'other' ? k : kind]));
    tables[name as keyof ClientSource['tables']] = { ...table, columns };
  }
  return { ...source, tables };
}
