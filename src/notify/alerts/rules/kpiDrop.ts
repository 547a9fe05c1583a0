import { RATES } from '../../../analytics/getMetrics.ts';
import type { Outcome } from '../alertState.ts';
import { KPI_RULES, type KpiDropSettings, type KpiRule } from '../ruleSettings.ts';
import { proportionDropP } from '../statistics.ts';
import { HOUR_MS, minus, percent, span, type RuleContext } from './ruleContext.ts';

const LABELS: Record<KpiRule, string> = { 'widget-open-drop': 'widget open rate', 'human-request-drop': 'human request rate', 'accept-drop': 'accept rate' };

/**
 * A key rate (as the metrics define it) in the last whole hours well below the same rate over the baseline just before:
 * it fires only with BOTH a minimum sample in the recent window and a minimum relative drop, and when a one-sided
 * two-proportion test finds the drop unlikely by chance; it resolves once the drop is below a smaller margin.
 */
export async function evaluateKpiDrop(ctx: RuleContext, rule: KpiRule, s: KpiDropSettings): Promise<Outcome> {
  const { client, now } = ctx;
  const [numerator, denominator] = RATES[KPI_RULES[rule]];
  // Whole hours (UTC hours are local hours but for half-hour zones, which only shifts the window): the same counts all
  // hour long, from rollup buckets and the cache.
  const end = new Date(now.getTime() - (now.getTime() % HOUR_MS));
  const split = minus(end, s.currentHours * HOUR_MS);
  const [recent, before] = await Promise.all([ctx.counts(split, end), ctx.counts(minus(split, s.baselineDays * 24 * HOUR_MS), split)]);
  const [x1, n1, x2, n2] = [recent[numerator], recent[denominator], before[numerator], before[denominator]];
  const label = LABELS[rule];
  const facts = { numerator: x1, denominator: n1, baselineNumerator: x2, baselineDenominator: n2, currentHours: s.currentHours, baselineDays: s.baselineDays };
  if (n1 < s.minSample || n2 < s.minSample || x2 === 0) {
    return { verdict: 'holding', title: `${client.name}: too few sessions to judge the ${label}`, facts };
  }
  const [rate, usual] = [x1 / n1, x2 / n2];
  const drop = 1 - rate / usual;
  const p = proportionDropP(x1, n1, x2, n2);
  const verdict = drop >= s.minRelativeDrop && p < s.pValue ? 'failing' : drop < s.resolveRelativeDrop ? 'clear' : 'holding';
  const title = `${client.name}: ${label} ${percent(rate)} in the last ${span(s.currentHours * HOUR_MS)} (usually ${percent(usual)})`;
  return { verdict, title, facts: { ...facts, rate, baselineRate: usual, relativeDrop: drop, p } };
}
