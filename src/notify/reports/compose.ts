import type { ClientConfig } from '../../config/clients.ts';
import type { Chart } from './charts.ts';
import { clientReportEmail } from './clientReport.ts';
import { digestEmail, digestRows, type DigestRow } from './digest.ts';
import type { ReportEmail } from './emailParts.ts';
import { reportData } from './keyFigures.ts';
import type { Recipient } from './recipients.ts';
import { dashboardUrl, type ReportDeps } from './reportDeps.ts';
import { previousPeriod, type Period, type ReportKind } from './schedule.ts';

export const PLATFORM_NAME = 'Chatbot Analytics';

/** A client's weekly or monthly report for `period`, ready to send (or to preview, with `imageSrc`). */
export async function composeClientReport(deps: ReportDeps, client: ClientConfig, kind: 'weekly' | 'monthly', period: Period, imageSrc?: (chart: Chart) => string): Promise<ReportEmail> {
  const data = await reportData(deps.answers, client, period, previousPeriod(kind, period));
  return clientReportEmail(kind, data, { dashboardUrl: dashboardUrl(deps, client.id), imageSrc });
}

/** The digest's lines once for everyone; each recipient's email holds only the clients they may see. */
export async function composeDigest(deps: ReportDeps, period: Period): Promise<{ rows: DigestRow[]; emailFor(recipient: Pick<Recipient, 'clients'>): ReportEmail }> {
  const rows = await digestRows(deps.answers, deps.clients.list(), period);
  return {
    rows,
    emailFor: (recipient) => digestEmail(
      recipient.clients === 'all' ? rows : rows.filter((r) => (recipient.clients as ReadonlySet<string>).has(r.client.id)),
      period, { platformName: PLATFORM_NAME, dashboardUrl: (id) => dashboardUrl(deps, id) },
    ),
  };
}

export type { ReportKind };
