import { DateTime } from 'luxon';
import { DEFAULT_COLOR } from '../../config/clients.ts';
import { dailyChart, funnelChart, type Chart } from './charts.ts';
import { chartImage, frame, inlineCharts, type Branding, type ReportEmail } from './emailParts.ts';
import { changeTone, escapeHtml, figureChange, figureValue, periodLabel, TONE_COLOR } from './format.ts';
import type { ReportData } from './keyFigures.ts';
import type { ReportKind } from './schedule.ts';

const TITLE: Record<ReportKind, string> = { weekly: 'Weekly report', monthly: 'Monthly report', digest: 'Portfolio digest' };
const STEP_LABEL = { pageLoaded: 'Page loaded', widgetOpened: 'Widget opened', requestedHuman: 'Asked for a human' } as const;

export function brandingOf(data: ReportData): Branding {
  return { name: data.client.name, primaryColor: data.client.branding?.primaryColor ?? DEFAULT_COLOR, logoUrl: data.client.branding?.logoUrl ?? null };
}

export function reportCharts(data: ReportData): Chart[] {
  const color = brandingOf(data).primaryColor;
  const labels = data.days.map((d) => DateTime.fromISO(d.date).setLocale('en-GB').toFormat(data.days.length > 8 ? 'd' : 'ccc d'));
  const previous = data.days.map((_, i) => data.previousDays[i]?.sessions ?? 0);
  const funnel = [
    { label: 'Sessions', count: data.funnel.sessions },
    ...data.funnel.steps.map((s) => ({ label: STEP_LABEL[s.step], count: s.count })),
    { label: 'Accepted', count: data.funnel.actions.find((a) => a.action === 'pressedAccept')?.count ?? 0 },
  ];
  return [dailyChart(labels, data.days.map((d) => d.sessions), previous, color), funnelChart(funnel, color)];
}

function figuresTable(data: ReportData): string {
  const cells = data.figures.map((f) => {
    const unavailable = f.key === 'leads' && !data.leadsAvailable;
    const tone = TONE_COLOR[changeTone(f)];
    return `<td data-figure="${f.key}" style="width:33%;padding:10px;border:1px solid #e2e8f0;vertical-align:top">
<div style="font-size:12px;color:#475569">${escapeHtml(f.label)}</div>
<div style="font-size:22px;font-weight:bold;margin-top:4px">${unavailable ? 'not kept' : escapeHtml(figureValue(f))}</div>
<div style="font-size:12px;color:${tone};margin-top:2px">${unavailable ? '' : escapeHtml(figureChange(f))}${f.smallSample && f.change ? ' <span style="color:#64748b">(small sample)</span>' : ''}</div></td>`;
  });
  const rows = [cells.slice(0, 3), cells.slice(3)].map((row) => `<tr>${row.join('')}</tr>`).join('');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse">${rows}</table>`;
}

function funnelTable(data: ReportData): string {
  const rows = [
    ['Sessions', data.funnel.sessions, null] as const,
    ...data.funnel.steps.map((s) => [STEP_LABEL[s.step], s.count, s.rateFromPrevious] as const),
    ...data.funnel.actions.map((a) => [{ pressedAccept: 'Accepted', pressedCallback: 'Asked for a callback', pressedContinue: 'Continued with the bot' }[a.action], a.count, a.rate] as const),
  ];
  return `<table role="presentation" width="100%" cellpadding="4" cellspacing="0" style="font-size:13px;border-collapse:collapse">${rows.map(([label, n, r]) =>
    `<tr><td style="border-bottom:1px solid #f1f5f9">${escapeHtml(label)}</td><td align="right" style="border-bottom:1px solid #f1f5f9">${n}</td>` +
    `<td align="right" style="border-bottom:1px solid #f1f5f9;color:#64748b">${r === null ? '' : `${(r * 100).toFixed(1)}%`}</td></tr>`).join('')}</table>`;
}

/**
 * A client's weekly or monthly report: key figures with their change, the daily sessions and the funnel as PNG charts
 * inline by content id, and a plain-text version with the same numbers. `imageSrc` lets a preview use data URLs.
 */
export function clientReportEmail(kind: ReportKind, data: ReportData, options: { dashboardUrl: string | null; imageSrc?: (chart: Chart) => string }): ReportEmail {
  const branding = brandingOf(data);
  const charts = reportCharts(data);
  const label = periodLabel(data.period);
  const subject = `${branding.name}: ${TITLE[kind].toLowerCase()}, ${label}`;
  const link = options.dashboardUrl ? `<p style="margin:16px 0 0"><a href="${escapeHtml(options.dashboardUrl)}" style="color:${escapeHtml(branding.primaryColor)}">Open the dashboard</a></p>` : '';
  const body = `${figuresTable(data)}
<p style="font-size:12px;color:#64748b;margin:8px 0 20px">Compared with ${escapeHtml(periodLabel(data.previous))}.</p>
<h3 style="font-size:15px;margin:0 0 8px">Sessions per day</h3>${chartImage(charts[0]!, options.imageSrc?.(charts[0]!))}
<h3 style="font-size:15px;margin:20px 0 8px">Funnel</h3>${chartImage(charts[1]!, options.imageSrc?.(charts[1]!))}${funnelTable(data)}${link}`;
  const footer = `Times are ${escapeHtml(data.period.timezone)}. You get this because you are on ${escapeHtml(branding.name)}'s report list.`;
  const text = [
    `${branding.name} — ${TITLE[kind]}`, `${label} (${data.period.timezone})`, '',
    ...data.figures.map((f) => `${f.label}: ${f.key === 'leads' && !data.leadsAvailable ? 'not kept' : figureValue(f)}${figureChange(f) ? ` (${figureChange(f)})` : ''}`),
    '', `Compared with ${periodLabel(data.previous)}.`, '', 'Funnel:',
    `  Sessions: ${data.funnel.sessions}`,
    ...data.funnel.steps.map((s) => `  ${STEP_LABEL[s.step]}: ${s.count}`),
    ...data.funnel.actions.map((a) => `  ${a.action.replace('pressed', '')}: ${a.count}`),
    '', 'Sessions per day:', ...data.days.map((d) => `  ${d.date}: ${d.sessions}`),
    ...(options.dashboardUrl ? ['', `Dashboard: ${options.dashboardUrl}`] : []), '',
  ].join('\n');
  return { subject, html: frame(branding, TITLE[kind], `${label} · ${data.period.timezone}`, body, footer), text, attachments: inlineCharts(charts) };
}
