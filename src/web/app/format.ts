import type { Change } from './api.ts';

/** Display formats. Rates arrive as fractions 0..1 (or null when the denominator is 0), as the API sends them. */
const count = new Intl.NumberFormat('en-US');
const percent = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const signed = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, signDisplay: 'exceptZero' });

export const NONE = '—';

export const formatCount = (value: number | null) => (value === null ? NONE : count.format(value));
export const formatPercent = (value: number | null) => (value === null ? NONE : percent.format(value));
/** A count that may be a percentile (7.5 messages): at most one decimal. */
export const formatNumber = (value: number | null) => (value === null ? NONE : decimal.format(value));

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return NONE;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A setting such as "10 minutes" (whole hours, minutes or seconds). */
export function formatSpan(seconds: number): string {
  const [amount, unit] = seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return `${count.format(amount)} ${unit}${amount === 1 ? '' : 's'}`;
}

/** "1 Apr 2024" from a local date, without letting the browser's own time zone move it. */
export function formatDate(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
}

/** An instant shown on the client's clock. */
export function formatInstant(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString('en-GB', { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** An instant's time of day with seconds ("09:05:07"), on the client's clock. */
export function formatTime(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}

export interface ChangeText {
  direction: 'up' | 'down' | 'flat' | 'none';
  text: string;
}

/** The API's change between two periods in words: counts and durations in percent, rates in percentage points. */
export function describeChange(change: Change | undefined): ChangeText {
  if (!change || change.current === null || change.previous === null) return { direction: 'none', text: 'no comparison' };
  const delta = change.kind === 'rate' ? change.percentagePoints : change.relativeChange === null ? null : change.relativeChange * 100;
  if (delta === null) return change.current === 0 ? { direction: 'flat', text: 'no change' } : { direction: 'up', text: 'up from 0' };
  const rounded = Math.round(delta * 10) / 10;
  if (rounded === 0) return { direction: 'flat', text: 'no change' };
  return { direction: rounded > 0 ? 'up' : 'down', text: `${signed.format(rounded)}${change.kind === 'rate' ? ' pp' : '%'}` };
}
