import { Duration } from 'luxon';
import { InvalidParameterError } from './errors.ts';
import { DEFAULT_FUNNEL, type FunnelOptions } from './sql.ts';

const SHORT = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
export const MAX_WINDOW_SECONDS = 30 * 86400;

/** `30m`, `2h`, `1d`, `90s` or ISO 8601 (`PT30M`) → seconds. */
export function parseWindow(value: string): number {
  const short = SHORT.exec(value);
  const seconds = short
    ? Number(short[1]) * UNIT_SECONDS[short[2] as keyof typeof UNIT_SECONDS]
    : Duration.fromISO(value).as('seconds');
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidParameterError('window', 'expected a duration such as 30m, 2h, 1d or PT30M');
  }
  if (seconds > MAX_WINDOW_SECONDS) throw new InvalidParameterError('window', 'may be at most 30 days');
  return Math.round(seconds);
}

/** `mode=ordered` and `window=<duration>`; without them, the core funnel definition. */
export function parseFunnelOptions(query: { mode?: string; window?: string }): FunnelOptions {
  const mode = query.mode === undefined || query.mode === '' ? 'any' : query.mode;
  if (mode !== 'any' && mode !== 'ordered') throw new InvalidParameterError('mode', 'must be "any" or "ordered"');
  const windowSeconds = query.window ? parseWindow(query.window) : null;
  return mode === DEFAULT_FUNNEL.mode && windowSeconds === null ? DEFAULT_FUNNEL : { mode, windowSeconds };
}
