import type { Change } from '../../analytics/compare.ts';
import type { DailyRow } from '../../analytics/getDaily.ts';
import type { Funnel } from '../../analytics/getFunnel.ts';
import type { ClientConfig } from '../../config/clients.ts';
import { answerMetric, planAnswer, type AnswerDeps } from '../../answers/answerMetric.ts';
import type { Metric } from '../../answers/metric.ts';
import * as metrics from '../../answers/metrics.ts';
import { asDates, type Period } from './schedule.ts';

/** The figures a report leads with, each with its change against the previous period. */
export const FIGURES = [
  { key: 'sessions', label: 'Sessions', kind: 'count', from: 'funnel', metric: 'sessions' },
  { key: 'widgetOpenRate', label: 'Widget open rate', kind: 'rate', from: 'funnel', metric: 'steps.widgetOpened.rateFromPrevious' },
  { key: 'humanRequestRate', label: 'Human request rate', kind: 'rate', from: 'funnel', metric: 'steps.requestedHuman.rateFromPrevious' },
  { key: 'acceptRate', label: 'Accept rate', kind: 'rate', from: 'funnel', metric: 'actions.pressedAccept.rate' },
  { key: 'leads', label: 'Leads', kind: 'count', from: 'leads', metric: 'total' },
  { key: 'unansweredHandoffs', label: 'Unanswered handoffs', kind: 'count', from: 'handoffs', metric: 'outcomes.abandoned.count' },
] as const;
export type FigureKey = (typeof FIGURES)[number]['key'];

export interface Figure {
  key: FigureKey;
  label: string;
  kind: 'count' | 'rate';
  current: number | null;
  previous: number | null;
  /** current − previous; for rates in percentage points. */
  change: number | null;
  relativeChange: number | null;
  smallSample: boolean;
}

export interface ReportData {
  client: ClientConfig;
  period: Period;
  previous: Period;
  figures: Figure[];
  funnel: Funnel;
  days: DailyRow[];
  previousDays: DailyRow[];
  /** Leads are not kept by this client's chatbot (no `Leads` table). */
  leadsAvailable: boolean;
}

function figureOf(spec: (typeof FIGURES)[number], changes: Change[] | undefined): Figure {
  const found = changes?.find((c) => c.metric === spec.metric);
  return {
    key: spec.key, label: spec.label, kind: spec.kind,
    current: found?.current ?? null, previous: found?.previous ?? null,
    change: spec.kind === 'rate' ? found?.percentagePoints ?? null : found?.change ?? null,
    relativeChange: found?.relativeChange ?? null, smallSample: found?.smallSample ?? true,
  };
}

/**
 * A client's report for one period, from the same answers the API gives (rollups when on, the result cache), each
 * compared with the previous period of the same kind.
 */
export async function reportData(deps: AnswerDeps, client: ClientConfig, period: Period, previous: Period): Promise<ReportData> {
  const range = asDates(period);
  const before = asDates(previous);
  const input = { ...range, compareFrom: before.from, compareTo: before.to, tz: period.timezone };
  const answer = async <Q extends object, B extends object, P>(metric: Metric<Q, B, P>) =>
    (await answerMetric(deps, client, metric, planAnswer(client, metric, input as typeof input & Q, deps.now()))).body;
  const [funnel, leads, handoffs, daily] = await Promise.all([
    answer(metrics.funnel), answer(metrics.leads), answer(metrics.handoffs), answer(metrics.daily),
  ]);
  const changes: Record<string, Change[] | undefined> = { funnel: funnel.changes, leads: leads.changes, handoffs: handoffs.changes };
  return {
    client, period, previous,
    figures: FIGURES.map((spec) => figureOf(spec, changes[spec.from])),
    funnel,
    days: daily.days,
    previousDays: daily.comparison?.days ?? [],
    leadsAvailable: leads.available,
  };
}
