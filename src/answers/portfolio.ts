import { DateTime } from 'luxon';
import type { ClientConfig } from '../config/clients.ts';
import { countChange, rateChange, type Change } from '../analytics/compare.ts';
import { InvalidParameterError } from '../analytics/errors.ts';
import type { DailyRow } from '../analytics/getDaily.ts';
import { RATES } from '../analytics/getMetrics.ts';
import { rate } from '../analytics/sql.ts';
import { SourceUnavailableError } from '../tenants/clientSource.ts';
import { ClientDatabaseError } from '../tenants/connections/databaseErrors.ts';
import { answerMetric, planAnswer, type AnswerDeps, type AnswerInput } from './answerMetric.ts';
import { freshness, type Freshness } from './freshness.ts';
import { handoffOutcomes } from './handoffOutcomes.ts';
import * as metrics from './metrics.ts';
import { prefetchingDeps } from './portfolioRollups.ts';

/** The period every client is compared over: `range=7d` (the last N local days including today) or `from`/`to`. */
export interface PortfolioInput {
  range?: string;
  from?: string;
  to?: string;
}

export const KPIS = ['sessions', 'widgetOpenRate', 'humanRequestRate', 'acceptRate', 'leads', 'unansweredHandoffs'] as const;
export type Kpi = (typeof KPIS)[number];

export type PortfolioRow = {
  clientId: string;
  name: string;
  timezone: string;
  from: string | null;
  to: string | null;
} & (
  | { state: 'ok'; kpis: Record<Kpi, Change | null>; trend: { date: string; sessions: number }[]; freshness: Freshness }
  | { state: 'unavailable'; error: { code: string; message: string } }
);

export const DEFAULT_PORTFOLIO_DAYS = 7;
const RANGE = /^([1-9]\d{0,2})d$/;

/** The range as each client's own local dates, checked before any database is touched (a bad value is a 400). */
export function periodOf(input: PortfolioInput, client: ClientConfig, now: Date): AnswerInput {
  if (input.range !== undefined && (input.from || input.to)) throw new InvalidParameterError('range', 'use either range or from/to');
  if (input.from || input.to) return { from: input.from, to: input.to, compare: 'previous' };
  const days = input.range === undefined ? DEFAULT_PORTFOLIO_DAYS : Number(RANGE.exec(input.range)?.[1] ?? NaN);
  if (!Number.isInteger(days) || days > 366) throw new InvalidParameterError('range', 'expected a number of days, 1d to 366d');
  const today = DateTime.fromJSDate(now, { zone: client.timezone });
  return { from: today.minus({ days: days - 1 }).toISODate()!, to: today.toISODate()!, compare: 'previous' };
}

/** Plans every client's answers first, so a bad parameter fails the request before any database is asked. */
export function planPortfolio(clients: readonly ClientConfig[], input: PortfolioInput, now: Date) {
  return clients.map((client) => {
    const period = periodOf(input, client, now);
    return {
      client,
      daily: planAnswer(client, metrics.daily, period, now),
      leads: planAnswer(client, metrics.leads, period, now),
      handoffs: planAnswer(client, handoffOutcomes, period, now),
    };
  });
}
type Plan = ReturnType<typeof planPortfolio>[number];

/**
 * One row per client, `concurrency` clients at a time; a client whose database fails answers for itself. Rollups are
 * read for many rows at once (portfolioRollups.ts).
 */
export async function answerPortfolio(deps: AnswerDeps, plans: readonly Plan[], concurrency = 8): Promise<PortfolioRow[]> {
  const rows: PortfolioRow[] = new Array(plans.length);
  const depsOf = prefetchingDeps(deps, plans);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < plans.length; i = next++) rows[i] = await rowOf(depsOf(i), plans[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plans.length) }, worker));
  return rows;
}

async function rowOf(deps: AnswerDeps, plan: Plan): Promise<PortfolioRow> {
  const { client } = plan;
  const head = { clientId: client.id, name: client.name, timezone: client.timezone, from: plan.daily.range.from.toISO(), to: plan.daily.range.to.toISO() };
  try {
    const [daily, leads, handoffs, fresh] = await Promise.all([
      answerMetric(deps, client, metrics.daily, plan.daily),
      answerMetric(deps, client, metrics.leads, plan.leads),
      answerMetric(deps, client, handoffOutcomes, plan.handoffs),
      freshness(deps, client, deps.now()),
    ]);
    const days = daily.body.days;
    const before = daily.body.comparison?.days ?? [];
    const leadsNow = leads.body;
    const leadsThen = leads.body.comparison;
    const abandoned = (h: { outcomes: { outcome: string; count: number }[] } | undefined) => h?.outcomes.find((o) => o.outcome === 'abandoned')?.count ?? 0;
    return {
      ...head,
      state: 'ok',
      kpis: {
        ...rateKpis(days, before),
        leads: leadsNow.available && leadsThen?.available ? countChange('leads', leadsNow.total, leadsThen.total) : null,
        unansweredHandoffs: countChange('unansweredHandoffs', abandoned(handoffs.body), abandoned(handoffs.body.comparison)),
      },
      trend: days.map((d) => ({ date: d.date, sessions: d.sessions })),
      freshness: fresh,
    };
  } catch (error) {
    const failure = failureOf(error);
    if (!failure) throw error;
    deps.log.warn({ clientId: client.id, code: failure.code }, 'portfolio: client answered with an error');
    return { ...head, state: 'unavailable', error: failure };
  }
}

/** Sessions and the three funnel rates of a period against the previous one, from the daily counts. */
function rateKpis(days: DailyRow[], before: DailyRow[]) {
  const total = (rows: DailyRow[], key: keyof Omit<DailyRow, 'date'>) => rows.reduce((n, d) => n + d[key], 0);
  const ratio = (metric: string, [num, den]: readonly [keyof Omit<DailyRow, 'date'>, keyof Omit<DailyRow, 'date'>]) => {
    const [n1, d1, n0, d0] = [total(days, num), total(days, den), total(before, num), total(before, den)];
    return rateChange(metric, { value: rate(n1, d1), of: d1 }, { value: rate(n0, d0), of: d0 });
  };
  return {
    sessions: countChange('sessions', total(days, 'sessions'), total(before, 'sessions')),
    widgetOpenRate: ratio('widgetOpenRate', RATES.widgetOpen),
    humanRequestRate: ratio('humanRequestRate', RATES.humanRequest),
    acceptRate: ratio('acceptRate', RATES.accept),
  };
}

/** A failure of the client's own database (or tables) belongs to its row; anything else is ours and is thrown. */
function failureOf(error: unknown): { code: string; message: string } | null {
  if (error instanceof SourceUnavailableError) return { code: 'SCHEMA_UNAVAILABLE', message: error.message };
  if (error instanceof ClientDatabaseError) return { code: error.failure, message: error.message };
  return null;
}
