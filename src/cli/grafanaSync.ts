import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, type AppConfig } from '../config/loadConfig.ts';
import { createPool } from '../db/pool.ts';
import { peopleSource, type ClientOrg } from '../grafana/people.ts';
import { formatReport, GrafanaSyncError, syncGrafana, type SyncReport } from '../grafana/sync/index.ts';
import { GrafanaClient } from '../grafana/sync/grafanaClient.ts';
import { formatPeopleReport, syncPeople } from '../grafana/sync/syncPeople.ts';
import { migrationStatus, PlatformBehindError } from '../platform/migrations.ts';
import { listStoredClients } from '../tenants/clientStore.ts';

/** The server's start-up (GRAFANA_SYNC_ON_START=1) imports it from here or from src/grafana/sync/index.ts. */
export { syncGrafana, formatReport } from '../grafana/sync/index.ts';

const USAGE = 'usage: npm run grafana:sync [-- --rotate-secrets]';

/**
 * People's Grafana users, from `PLATFORM_DB_URL` (without it the platform database lives inside the server, which
 * keeps people in line itself). Clients: the file's, with the org ids this run found, and those managed in the product.
 */
async function syncPeopleOf(config: AppConfig, report: SyncReport): Promise<boolean> {
  if (!config.platform.dbUrl) {
    console.log('Grafana people: skipped (PLATFORM_DB_URL is not set; the running server keeps people in line itself)');
    return true;
  }
  const pool = createPool({ connectionString: config.platform.dbUrl, max: 1, connectionTimeoutMillis: 10_000, application_name: 'chatbot-analytics-grafana-sync' });
  try {
    const status = await migrationStatus(pool);
    if (status.current < status.latest) throw new PlatformBehindError(status);
    const found = new Map(report.clients.map((client) => [client.clientId, client.orgId]));
    const fromFile: ClientOrg[] = config.clients.map((client) => ({ id: client.id, grafanaOrgId: found.get(client.id) ?? client.grafanaOrgId }));
    const managed = (await listStoredClients(pool)).filter((client) => !client.disabled && !fromFile.some((file) => file.id === client.id));
    const clients = [...fromFile, ...managed.map((client) => ({ id: client.id, grafanaOrgId: client.grafanaOrgId }))];
    const { url, adminUser, adminPassword } = config.grafana;
    const api = new GrafanaClient({ url: url!, user: adminUser, password: adminPassword! });
    const people = await syncPeople(api, peopleSource(pool, () => clients), (message) => console.log(`Grafana people: ${message}`));
    console.log(formatPeopleReport(people));
    return people.failures.length === 0;
  } finally {
    await pool.end();
  }
}

/** `npm run grafana:sync`: creates or repairs every client's Grafana org, data source, dashboard and viewer user, and people's own users. */
async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  let rotateSecrets: boolean;
  try {
    rotateSecrets = parseArgs({ options: { 'rotate-secrets': { type: 'boolean', default: false } } }).values['rotate-secrets'];
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const config = loadConfig();
  const missing = [!config.grafana.url && 'GRAFANA_URL', !config.grafana.adminPassword && 'GRAFANA_ADMIN_PASSWORD'].filter(Boolean);
  if (missing.length > 0) {
    console.error(`grafana:sync needs ${missing.join(' and ')} (see .env.example); nothing was changed`);
    return 1;
  }
  const report = await syncGrafana(config, { log: (message) => console.log(message), rotateSecrets });
  console.log(formatReport(report));
  const peopleSynced = await syncPeopleOf(config, report);
  return report.failures.length > 0 || !peopleSynced ? 1 : 0;
}

// Only when run as a script, so importing this module for `syncGrafana` has no side effects.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError || error instanceof GrafanaSyncError || error instanceof PlatformBehindError) console.error(error.message);
      else console.error(`grafana:sync failed: ${(error as Error).message}`); // our messages never carry URLs or passwords
      process.exit(1);
    },
  );
}
