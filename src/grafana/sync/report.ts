/** What one sync run did, per client and in total, so a second run can be shown to change nothing. */

export const RESOURCES = ['org', 'datasource', 'dashboard', 'preferences', 'user', 'membership'] as const;
export type Resource = (typeof RESOURCES)[number];
export type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped';
const OUTCOMES: Outcome[] = ['created', 'updated', 'unchanged', 'skipped'];

export interface ClientReport {
  clientId: string;
  /** The organization Grafana uses for this client (null when its step failed). */
  orgId: number | null;
  outcomes: Partial<Record<Resource, Outcome>>;
}

export interface OrgIdMismatch {
  clientId: string;
  registryOrgId: number | null;
  grafanaOrgId: number;
}

export interface SyncReport {
  clients: ClientReport[];
  counts: Record<Resource, Record<Outcome, number>>;
  /** Clients whose Grafana org id is not the one in clients.json: the operator should write it there. */
  orgIdMismatches: OrgIdMismatch[];
  warnings: string[];
  failures: { clientId: string; message: string }[];
  /** Write requests (POST/PUT/PATCH/DELETE) sent to Grafana. */
  writes: number;
}

export function emptyReport(): SyncReport {
  const counts = Object.fromEntries(
    RESOURCES.map((resource) => [resource, Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0]))]),
  ) as SyncReport['counts'];
  return { clients: [], counts, orgIdMismatches: [], warnings: [], failures: [], writes: 0 };
}

export function record(report: SyncReport, client: ClientReport, resource: Resource, outcome: Outcome): void {
  client.outcomes[resource] = outcome;
  report.counts[resource][outcome]++;
}

export function orgIdAdvice(mismatch: OrgIdMismatch): string {
  return `${mismatch.clientId}: Grafana organization id is ${mismatch.grafanaOrgId} but clients.json says ${mismatch.registryOrgId ?? 'nothing'}; set "grafanaOrgId": ${mismatch.grafanaOrgId} for "${mismatch.clientId}" in clients.json`;
}

/** A short human summary: one table of counts, then the things the operator must act on. */
export function formatReport(report: SyncReport): string {
  const pad = (text: string | number, width: number) => String(text).padEnd(width);
  const lines = [`Grafana sync: ${report.clients.length} client(s), ${report.writes} write request(s)`];
  lines.push(`  ${pad('', 12)}${OUTCOMES.map((o) => pad(o, 11)).join('')}`);
  for (const resource of RESOURCES) {
    lines.push(`  ${pad(resource, 12)}${OUTCOMES.map((o) => pad(report.counts[resource][o], 11)).join('')}`);
  }
  for (const client of report.clients) lines.push(`  ${client.clientId} → Grafana org ${client.orgId ?? '?'}`);
  for (const mismatch of report.orgIdMismatches) lines.push(`ACTION: ${orgIdAdvice(mismatch)}`);
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  for (const failure of report.failures) lines.push(`FAILED: ${failure.message}`);
  return lines.map((line) => line.trimEnd()).join('\n');
}
