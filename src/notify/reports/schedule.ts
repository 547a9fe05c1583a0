import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';

/**
 * When a report is due and what it covers. Schedules are five-field cron in the client's time zone; a report covers
 * the calendar period before its occurrence — the previous local week (Monday 00:00 to Monday 00:00) or the previous
 * local month — so a changed cron never makes a period due twice: the period, not the minute, is the report's key.
 */
export type ReportKind = 'weekly' | 'monthly' | 'digest';
export const REPORT_KINDS: readonly ReportKind[] = ['weekly', 'monthly', 'digest'];
/** The kinds a client has; the digest is the portfolio's. */
export const CLIENT_REPORT_KINDS = ['weekly', 'monthly'] as const;

export const DEFAULT_CRON: Record<ReportKind, string> = {
  weekly: '0 9 * * 1', // Monday 09:00 local
  monthly: '0 9 1 * *', // the 1st, 09:00 local
  digest: '0 9 * * 1',
};

/** The digest's schedule row (no client id can be '*'). */
export const DIGEST_SCOPE = '*';

export interface Period {
  timezone: string;
  /** Local midnights: [from, to). */
  from: DateTime;
  to: DateTime;
}

/** Why `cron` is not a usable schedule (five fields, parseable), or null. */
export function cronProblem(cron: string): string | null {
  if (cron.trim().split(/\s+/).length !== 5) return 'must have five fields (minute hour day month weekday), e.g. "0 9 * * 1"';
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
    return null;
  } catch (error) {
    return `is not a valid cron expression (${(error as Error).message.slice(0, 120)})`;
  }
}

/** The latest occurrence of `cron` in `timezone` at or before `now`. */
export function latestOccurrence(cron: string, timezone: string, now: Date): Date {
  // cron-parser's prev() is strictly before its start: start one millisecond later so an occurrence at `now` counts.
  return CronExpressionParser.parse(cron, { currentDate: new Date(now.getTime() + 1), tz: timezone }).prev().toDate();
}

/** The period a report due at `occurrence` covers: the calendar week or month before it, in `timezone`. */
export function periodBefore(kind: ReportKind, occurrence: Date, timezone: string): Period {
  const local = DateTime.fromJSDate(occurrence, { zone: timezone });
  const unit = kind === 'monthly' ? 'month' : 'week';
  const to = local.startOf(unit);
  return { timezone, from: to.minus(unit === 'month' ? { months: 1 } : { weeks: 1 }).startOf(unit), to };
}

/** The period just before `period`, of the same kind (the one its changes compare with). */
export function previousPeriod(kind: ReportKind, period: Period): Period {
  const unit = kind === 'monthly' ? 'month' : 'week';
  const from = period.from.minus(unit === 'month' ? { months: 1 } : { weeks: 1 }).startOf(unit);
  return { timezone: period.timezone, from, to: period.from };
}

/** The current period so far's predecessor: what a preview (or a report sent now) covers at `now`. */
export function lastFullPeriod(kind: ReportKind, now: Date, timezone: string): Period {
  return periodBefore(kind, now, timezone);
}

/** The range as the answers take it: whole local days, `to` inclusive. */
export function asDates(period: Period): { from: string; to: string } {
  return { from: period.from.toISODate()!, to: period.to.minus({ days: 1 }).toISODate()! };
}
