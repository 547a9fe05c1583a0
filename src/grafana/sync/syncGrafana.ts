import type { AppConfig } from '../../config/loadConfig.ts';
import type { ClientConfig } from '../../config/clients.ts';
import { clientGrafanaDbVariable } from '../../config/env.ts';
import { buildClientDashboard, dashboardUid } from '../buildDashboard.ts';
import { detectDashboardSource } from '../dashboardSource.ts';
import type { ClientSource } from '../../tenants/clientSource.ts';
import { parseDatasourceUrl } from './datasourceSettings.ts';
import { judgeDatasourceRole } from '../datasourceRole.ts';
import { grafanaLoginFor } from '../logins.ts';
import { ensureClientUser, ensureViewerOnlyOf } from './ensureClientUser.ts';
import { ensureDashboard } from './ensureDashboard.ts';
import { ensureDatasource } from './ensureDatasource.ts';
import { ensureAdminMember, ensureOrg, type AdminIdentity } from './ensureOrg.ts';
import { ensurePreferences } from './ensurePreferences.ts';
import { GrafanaClient, GrafanaSyncError } from './grafanaClient.ts';
import { emptyReport, orgIdAdvice, record, type ClientReport, type SyncReport } from './report.ts';
import { grafanaDatasourceUrl } from '../../config/clients.ts';

export interface SyncOptions {
  /** What the client's database has, for its dashboard (default: read it with the data source's role). */
  describe?: (client: ClientConfig) => Promise<ClientSource>;
  log: (message: string) => void;
  fetch?: typeof fetch;
  /** Rewrite every data source with the password from its URL, even when nothing else changed. */
  rotateSecrets?: boolean;
}

export type SyncConfig = Pick<AppConfig, 'clients' | 'grafana'>;

/**
 * Brings Grafana in line with the client registry: per client an org (time zone, home dashboard), the PostgreSQL
 * data source, the generated dashboard and the legacy shared Viewer user `client-<id>` (client key sessions sign in
 * as it; people have their own users, `syncPeople`). Idempotent: a second run sends no write request.
 * One client's failure is reported and does not stop the others; unusable credentials stop everything.
 */
export async function syncGrafana(config: SyncConfig, options: SyncOptions): Promise<SyncReport> {
  const { url, adminUser, adminPassword } = config.grafana;
  if (!url || !adminPassword) throw new GrafanaSyncError('Grafana sync needs GRAFANA_URL and GRAFANA_ADMIN_PASSWORD');
  const api = new GrafanaClient({ url, user: adminUser, password: adminPassword, fetch: options.fetch });
  const admin = await checkServerAdmin(api, adminUser);
  const report = emptyReport();
  const orgOwners = new Map<number, string>();

  for (const client of config.clients) {
    const clientReport: ClientReport = { clientId: client.id, orgId: null, outcomes: {} };
    report.clients.push(clientReport);
    try {
      await syncClient(api, config, client, { admin, report, clientReport, orgOwners, options });
    } catch (error) {
      if (error instanceof GrafanaSyncError) throw error; // unreachable or credentials gone: no point going on
      fail(report, options, client.id, (error as Error).message);
    }
  }
  report.writes = api.writes;
  return report;
}

function fail(report: SyncReport, options: SyncOptions, clientId: string, reason: string): void {
  const message = `client "${clientId}": ${reason}`;
  report.failures.push({ clientId, message });
  options.log(`FAILED ${message}`);
}

interface ClientContext {
  admin: AdminIdentity;
  report: SyncReport;
  clientReport: ClientReport;
  orgOwners: Map<number, string>;
  options: SyncOptions;
}

async function syncClient(api: GrafanaClient, config: SyncConfig, client: ClientConfig, context: ClientContext): Promise<void> {
  const { report, clientReport: out, options } = context;
  const log = (message: string) => options.log(`${client.id}: ${message}`);
  const warn = (message: string) => {
    report.warnings.push(`${client.id}: ${message}`);
    log(`warning: ${message}`);
  };

  // Checked before and after resolving, so a registry mistake never renames or shares another client's org.
  const claim = (orgId: number) => {
    const owner = context.orgOwners.get(orgId);
    if (owner) throw new Error(`step "organization": Grafana org ${orgId} already belongs to client "${owner}"`);
  };
  if (client.grafanaOrgId !== null) claim(client.grafanaOrgId);
  const org = await step('organization', () => ensureOrg(api, client));
  const orgId = org.orgId;
  claim(orgId);
  context.orgOwners.set(orgId, client.id);
  out.orgId = orgId;
  const adminAdded = await step('organization admin', () => ensureAdminMember(api, orgId, context.admin));
  record(report, out, 'org', org.outcome === 'unchanged' && adminAdded ? 'updated' : org.outcome);
  if (org.outcome !== 'unchanged') log(`organization ${orgId} ${org.outcome}`);
  if (client.grafanaOrgId !== orgId) {
    const mismatch = { clientId: client.id, registryOrgId: client.grafanaOrgId, grafanaOrgId: orgId };
    report.orgIdMismatches.push(mismatch);
    options.log(`ACTION: ${orgIdAdvice(mismatch)}`);
  }

  const dbUrl = grafanaDatasourceUrl(client);
  const uid = config.grafana.datasourceUid;
  if (dbUrl) {
    const settings = await step('data source', async () => parseDatasourceUrl(client.id, dbUrl));
    // Viewers can run any SQL with the data source's role: only a read-only one is synced (unless overridden).
    const role = await judgeDatasourceRole(client, settings, config.grafana.allowWritableDatasource);
    if (role.outcome === 'unchecked') throw new Error(role.message); // the dashboard needs that database too
    if (role.outcome === 'refused') {
      // The client fails, but its org, dashboard and Viewer-only user are still kept right.
      record(report, out, 'datasource', 'skipped');
      fail(report, options, client.id, role.message);
    } else {
      if (role.outcome === 'accepted') warn(role.warning);
      const result = await step('data source', () => ensureDatasource(api, orgId, uid, settings, options.rotateSecrets ?? false));
      record(report, out, 'datasource', result.outcome);
      if (result.warning) warn(result.warning);
      else if (result.outcome !== 'unchanged') log(`data source ${uid} ${result.outcome}`);
    }
  } else {
    record(report, out, 'datasource', 'skipped');
    warn(`no database URL for Grafana (set ${clientGrafanaDbVariable(client.id)} to a read-only role's URL); data source not synced`);
  }

  const dashboard = dashboardUid(client.id);
  // Fitted to what the database has now: a later sync after a schema change updates the dashboard.
  const source = await step('dashboard', () => (options.describe ?? detectDashboardSource)(client));
  const saved = await step('dashboard', () => ensureDashboard(api, orgId, dashboard, buildClientDashboard(client, uid, source)));
  record(report, out, 'dashboard', saved.outcome);
  if (saved.warning) warn(saved.warning);
  else if (saved.outcome !== 'unchanged') log(`dashboard ${dashboard} ${saved.outcome}`);

  const preferences = await step('preferences', () => ensurePreferences(api, orgId, client.timezone, dashboard));
  record(report, out, 'preferences', preferences);
  if (preferences !== 'unchanged') log(`org preferences updated (time zone ${client.timezone}, home dashboard ${dashboard})`);

  const user = await step('user', () => ensureClientUser(api, client, orgId));
  record(report, out, 'user', user.outcome);
  if (user.outcome !== 'unchanged') log(`user ${grafanaLoginFor(client.id)} ${user.outcome}`);
  const membership = await step('user membership', () => ensureViewerOnlyOf(api, user.user, orgId));
  record(report, out, 'membership', membership);
  if (membership !== 'unchanged') log(`user ${grafanaLoginFor(client.id)} is now a Viewer of org ${orgId} only`);
}

/** Runs one step, prefixing its errors with the step's name; credential problems pass through untouched. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof GrafanaSyncError) throw error;
    throw new Error(`step "${name}": ${(error as Error).message}`);
  }
}

/** Fails fast, with one clear message, when the credentials are wrong or not a server admin's. */
async function checkServerAdmin(api: GrafanaClient, adminUser: string): Promise<AdminIdentity> {
  const me = await api.get<{ id: number; login: string; isGrafanaAdmin?: boolean }>('/api/user');
  if (!me.isGrafanaAdmin) {
    throw new GrafanaSyncError(`Grafana user "${adminUser}" is not a Grafana server admin; sync needs one (GRAFANA_ADMIN_USER)`);
  }
  return { id: me.id, login: me.login };
}
