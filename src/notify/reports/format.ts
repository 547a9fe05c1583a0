import type { Figure } from './keyFigures.ts';
import type { Period } from './schedule.ts';

/** Wording shared by the client reports and the digest, for HTML and plain text alike. */
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const count = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });

export function figureValue(figure: Pick<Figure, 'kind' | 'current'>): string {
  if (figure.current === null) return '–';
  return figure.kind === 'rate' ? percent.format(figure.current) : count.format(figure.current);
}

/** "+12 (+25%)", "−3.5 pp", "no change", or "new" when there was nothing before. */
export function figureChange(figure: Figure): string {
  if (figure.change === null) return figure.current === null ? '' : 'no comparison';
  if (figure.change === 0) return 'no change';
  const sign = figure.change > 0 ? '+' : '−';
  if (figure.kind === 'rate') return `${sign}${Math.abs(figure.change).toFixed(1)} pp`;
  const relative = figure.relativeChange === null ? 'new' : `${sign}${percent.format(Math.abs(figure.relativeChange))}`;
  return `${sign}${count.format(Math.abs(figure.change))} (${relative})`;
}

/** Up is good for every figure but unanswered handoffs. */
export function changeTone(figure: Figure): 'good' | 'bad' | 'flat' {
  if (!figure.change) return 'flat';
  const better = figure.key === 'unansweredHandoffs' ? figure.change < 0 : figure.change > 0;
  return better ? 'good' : 'bad';
}

/** "Mon 7 Oct 2024 – Sun 13 Oct 2024": local dates, the last one inclusive. */
export function periodLabel(period: Period): string {
  const last = period.to.minus({ days: 1 });
  const day = (d: typeof last) => d.setLocale('en-GB').toFormat('ccc d LLL yyyy');
  return `${day(period.from)} – ${day(last)}`;
}

export const TONE_COLOR = { good: '#15803d', bad: '#b91c1c', flat: '#64748b' } as const;

/** A colour good enough to write white text on (the client's own, when it is dark enough). */
export function headerColor(color: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) / 255);
  const luminance = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  return luminance > 0.6 ? '#1e293b' : color;
}
