import type { EmailAttachment } from '../mailer.ts';
import type { Chart } from './charts.ts';
import { escapeHtml, headerColor } from './format.ts';

/** A report, ready for the mailer: both versions, the charts inline by content id. */
export interface ReportEmail {
  subject: string;
  html: string;
  text: string;
  attachments: EmailAttachment[];
}

export interface Branding {
  name: string;
  primaryColor: string;
  logoUrl: string | null;
}

/** Inline parts: each chart once, referred to from the HTML as `cid:<id>@report`. */
export function inlineCharts(charts: Chart[]): EmailAttachment[] {
  return charts.map((chart) => ({ filename: `${chart.id}.png`, content: chart.png, contentType: 'image/png', cid: `${chart.id}@report` }));
}

export function chartImage(chart: Chart, src = `cid:${chart.id}@report`): string {
  return `<img src="${escapeHtml(src)}" width="${chart.width}" height="${chart.height}" alt="${escapeHtml(chart.title)}" style="display:block;max-width:100%;height:auto;border:0">`;
}

/** Only an https logo is shown (mail clients block the rest, and a data or file URL has no business here). */
function logo(branding: Branding): string {
  if (!branding.logoUrl || !/^https:\/\/[^\s"'<>]+$/.test(branding.logoUrl)) return '';
  return `<img src="${escapeHtml(branding.logoUrl)}" alt="" height="32" style="height:32px;border:0;vertical-align:middle;margin-right:12px">`;
}

/** The frame every report shares: a header in the client's colour with its name and logo, the body, a footer. */
export function frame(branding: Branding, heading: string, subheading: string, body: string, footer: string): string {
  const color = headerColor(branding.primaryColor);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(heading)}</title></head>
<body style="margin:0;padding:0;background:#f1f5f9;font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;color:#0f172a">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f1f5f9"><tr><td align="center" style="padding:24px 8px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td data-brand-color="${escapeHtml(branding.primaryColor)}" style="background:${escapeHtml(color)};color:#ffffff;padding:20px 24px">
${logo(branding)}<span style="font-size:20px;font-weight:bold">${escapeHtml(branding.name)}</span>
<div style="font-size:14px;margin-top:6px">${escapeHtml(heading)}</div>
<div style="font-size:12px;margin-top:2px;opacity:0.9">${escapeHtml(subheading)}</div>
</td></tr>
<tr><td style="padding:20px 24px">${body}</td></tr>
<tr><td style="padding:12px 24px 20px;font-size:11px;color:#64748b;border-top:1px solid #e2e8f0">${footer}</td></tr>
</table></td></tr></table></body></html>`;
}
