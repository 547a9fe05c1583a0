import type { ClientConfig } from '../../config/clients.ts';
import type { AnswerDeps } from '../../answers/answerMetric.ts';
import { frame, type ReportEmail } from './emailParts.ts';
import { escapeHtml, figureChange, figureValue, periodLabel } from './format.ts';
import { reportData, type Figure } from './keyFigures.ts';
import { previousPeriod, type Period } from './schedule.ts';

/** One client's line in the operator digest. */
export interface DigestRow {
  client: Pick<ClientConfig, 'id' | 'name' | 'timezone'>;
  /** Why it comes first: its database could not answer, it had no sessions, or its sessions fell by half or more. */
  flag: 'unreachable' | 'silent' | 'drop' | null;
  figures: Figure[];
  /** A fixed sentence when the client's figures could not be had (never the database's own message). */
  problem: string | null;
}

const FLAG_ORDER = { unreachable: 0, silent: 1, drop: 2 } as const;
const FLAG_LABEL = { unreachable: 'database unreachable', silent: 'no sessions', drop: 'sessions down by half or more' } as const;
const CONCURRENCY = 4;

function flagOf(figures: Figure[]): DigestRow['flag'] {
  const sessions = figures.find((f) => f.key === 'sessions')!;
  if (!sessions.current) return 'silent';
  if (sessions.previous && sessions.previous >= 30 && sessions.current <= sessions.previous / 2) return 'drop';
  return null;
}

/**
 * The whole portfolio for one period (in each client's own time zone, the same local dates), a few clients at a time:
 * a client whose database is down is a flagged line, never a missing digest.
 */
export async function digestRows(deps: AnswerDeps, clients: readonly ClientConfig[], period: Period): Promise<DigestRow[]> {
  const rows: DigestRow[] = [];
  const queue = [...clients];
  const work = async () => {
    for (let client = queue.shift(); client; client = queue.shift()) {
      const own: Period = { timezone: client.timezone, from: period.from.setZone(client.timezone, { keepLocalTime: true }), to: period.to.setZone(client.timezone, { keepLocalTime: true }) };
      try {
        const data = await reportData(deps, client, own, previousPeriod('weekly', own));
        rows.push({ client, flag: flagOf(data.figures), figures: data.figures, problem: null });
      } catch (error) {
        deps.log.warn({ clientId: client.id, code: (error as { code?: string }).code }, 'digest: a client could not be answered');
        rows.push({ client, flag: 'unreachable', figures: [], problem: "This client's database could not answer." });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, clients.length) }, work));
  const sessions = (r: DigestRow) => r.figures.find((f) => f.key === 'sessions')?.current ?? 0;
  const rank = (r: DigestRow) => (r.flag ? FLAG_ORDER[r.flag] : 9);
  return rows.sort((a, b) => rank(a) - rank(b) || sessions(b) - sessions(a) || a.client.id.localeCompare(b.client.id));
}

const SHOWN = ['sessions', 'widgetOpenRate', 'humanRequestRate', 'acceptRate', 'leads', 'unansweredHandoffs'] as const;

/** The operator digest: every client the recipient may see, flagged ones first, each figure with its change. */
export function digestEmail(rows: DigestRow[], period: Period, options: { platformName: string; dashboardUrl: (clientId: string) => string | null }): ReportEmail {
  const label = periodLabel(period);
  const head = ['Client', 'Sessions', 'Widget open', 'Human request', 'Accept', 'Leads', 'Unanswered'];
  const cell = (f: Figure | undefined) => f ? `${escapeHtml(figureValue(f))}<br><span style="font-size:10px;color:#64748b">${escapeHtml(figureChange(f))}</span>` : '';
  const lines = rows.map((row) => {
    const url = options.dashboardUrl(row.client.id);
    const name = url ? `<a href="${escapeHtml(url)}" style="color:#0f172a">${escapeHtml(row.client.name)}</a>` : escapeHtml(row.client.name);
    const flag = row.flag ? `<br><span style="font-size:10px;color:#b91c1c;font-weight:bold">${FLAG_LABEL[row.flag]}</span>` : '';
    const cells = row.problem ? `<td colspan="6" style="color:#b91c1c">${escapeHtml(row.problem)}</td>` : SHOWN.map((key) => `<td align="right">${cell(row.figures.find((f) => f.key === key))}</td>`).join('');
    return `<tr data-client="${escapeHtml(row.client.id)}" style="border-bottom:1px solid #e2e8f0"><td>${name}${flag}</td>${cells}</tr>`;
  });
  const flagged = rows.filter((r) => r.flag).length;
  const body = `<p style="margin:0 0 12px;font-size:14px">${rows.length} clients; ${flagged} need a look.</p>
<table role="presentation" width="100%" cellpadding="4" cellspacing="0" style="font-size:12px;border-collapse:collapse">
<tr style="background:#f8fafc">${head.map((h) => `<th align="left" style="font-size:11px">${h}</th>`).join('')}</tr>${lines.join('')}</table>`;
  const text = [
    `${options.platformName} — Portfolio digest`, label, '', `${rows.length} clients; ${flagged} need a look.`, '',
    ...rows.map((row) => `${row.client.name} (${row.client.id})${row.flag ? ` [${FLAG_LABEL[row.flag]}]` : ''}: ` + (row.problem ?? row.figures.map((f) => `${f.label} ${figureValue(f)}${figureChange(f) ? ` (${figureChange(f)})` : ''}`).join('; '))),
    '',
  ].join('\n');
  return {
    subject: `Portfolio digest, ${label}: ${rows.length} clients, ${flagged} flagged`,
    html: frame({ name: options.platformName, primaryColor: '#1e293b', logoUrl: null }, 'Portfolio digest', `${label} · each client in its own time zone`, body, 'You get this as an operator or admin of the platform.'),
    text, attachments: [],
  };
}
