import { DateTime } from 'luxon';
import type { ClientConfig } from '../config/clients.ts';
import type { DateHourRow } from '../analytics/getDateHours.ts';
import { getLastSession } from '../analytics/getLastSession.ts';
import { ResultCache } from '../cache/resultCache.ts';
import type { AnswerDeps } from './answerMetric.ts';
import { baselineWithHistory, DEFAULT_BASELINE_WEEKS, historySpan } from './baseline.ts';

/** How fresh a client's data is, judged against its own usual traffic for those local hours. */
export interface Freshness {
  /** The latest session in the baseline's weeks (or the hour in progress); null when there was none. */
  lastSessionAt: string | null;
  /** Hours since then (null without a last session). */
  quietHours: number | null;
  /** Sessions the baseline expects between the last session (or the weeks' start) and now. */
  usualSinceLast: number;
  baselineWeeks: number;
  /** quiet: silence would happen by chance under 5 % of the time (>= 3 expected); silent: under 0.1 % (>= 7). */
  status: 'ok' | 'quiet' | 'silent' | 'no-history';
  summary: string;
}

export const QUIET_EXPECTED = 3;
export const SILENT_EXPECTED = 7;
const HOUR_MS = 3_600_000;

/** Cached for the minute it is asked in (the hour in progress is read raw, the weeks before from rollups). */
export async function freshness(deps: AnswerDeps, client: ClientConfig, now: Date): Promise<Freshness> {
  const compute = () => computeFreshness(deps, client, now);
  if (!deps.cache) return compute();
  const key = ResultCache.clientKey(client.id, { path: 'freshness', minute: Math.floor(now.getTime() / 60_000), tz: client.timezone });
  return (await deps.cache.getOrCompute(key, compute)).body;
}

async function computeFreshness(deps: AnswerDeps, client: ClientConfig, now: Date): Promise<Freshness> {
  const weeks = DEFAULT_BASELINE_WEEKS;
  // The same history and baseline (and cache entry) as `sessionBaseline(…, now)`.
  const { rows, baseline } = await baselineWithHistory(deps, client, now, weeks);
  const end = historySpan(client.timezone, now, weeks).to;
  const last = await lastSession(deps, client, rows, end.toJSDate(), now);
  const since = last ? new Date(last) : end.minus({ weeks }).toJSDate();
  const usual = baseline.expected(since, now);
  const quietHours = last ? (now.getTime() - Date.parse(last)) / HOUR_MS : null;
  const status = baseline.weeks === 0 ? 'no-history' : usual >= SILENT_EXPECTED ? 'silent' : usual >= QUIET_EXPECTED ? 'quiet' : 'ok';
  return { lastSessionAt: last, quietHours, usualSinceLast: usual, baselineWeeks: baseline.weeks, status, summary: summaryOf(status, quietHours, usual, weeks) };
}

/** The latest session: in the hour in progress, else in the last hour of history with sessions, read exactly. */
async function lastSession(deps: AnswerDeps, client: ClientConfig, rows: readonly DateHourRow[], end: Date, now: Date): Promise<string | null> {
  const db = deps.databases.forClient(client.id);
  const source = await deps.databases.source(client.id);
  let latest: DateHourRow | undefined;
  for (let i = rows.length - 1; i >= 0 && !latest; i--) if (rows[i]!.sessions > 0) latest = rows[i];
  if (!latest) return getLastSession(db, source, end, new Date(now.getTime() + 1));
  // One read from an hour before the latest hour with sessions (covering a repeated DST hour) to now: nothing
  // between that hour and the hour in progress had sessions, so its latest is the hour in progress's, else that hour's.
  const at = DateTime.fromISO(`${latest.date}T${String(latest.hour).padStart(2, '0')}:00`, { zone: client.timezone }).toMillis();
  return getLastSession(db, source, new Date(Math.min(at - HOUR_MS, end.getTime())), new Date(now.getTime() + 1));
}

const round = (n: number) => (n >= 10 ? Math.round(n) : Math.round(n * 10) / 10);

export function quietFor(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

function summaryOf(status: Freshness['status'], quietHours: number | null, usual: number, weeks: number): string {
  if (quietHours === null) return `no sessions in the last ${weeks} weeks`;
  if (status === 'quiet' || status === 'silent') return `quiet for ${quietFor(quietHours)}, usually ${round(usual)} sessions in that time`;
  return `last session ${quietFor(quietHours)} ago`;
}
