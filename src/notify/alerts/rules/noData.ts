import { sessionBaseline } from '../../../answers/baseline.ts';
import type { Outcome } from '../alertState.ts';
import type { NoDataSettings } from '../ruleSettings.ts';
import { poissonCdf } from '../statistics.ts';
import { HOUR_MS, minus, span, type RuleContext } from './ruleContext.ts';

/** Windows tried, shortest first: the first that expects `minExpected` sessions is judged. */
export const NO_DATA_WINDOWS_HOURS = [1, 2, 3, 6, 12, 24] as const;

/**
 * Far fewer sessions than this client usually has at this local weekday and hour. Silence is judged by the Poisson
 * tail P(X ≤ observed) given the expected count, only when that count is large enough for silence to be really
 * unlikely, and only after `minWeeks` of history (a new client's "usual" is not known yet).
 */
export async function evaluateNoData(ctx: RuleContext, s: NoDataSettings): Promise<Outcome> {
  const { client, now } = ctx;
  const baseline = await sessionBaseline(ctx.deps, client, now, s.baselineWeeks);
  if (baseline.weeks < s.minWeeks) {
    return { verdict: 'off', title: `${client.name}: too little history for the no-data alert`, facts: { weeks: baseline.weeks, minWeeks: s.minWeeks } };
  }
  // Shortest window first, and no further: a busy client is judged on its last hour. The usual count of each past
  // hour is computed once (expected() is additive), so a quiet client's 24 h costs no more than one window.
  let window: { hours: number; expected: number } | undefined;
  let sum = 0;
  for (let hour = 1; hour <= NO_DATA_WINDOWS_HOURS.at(-1)! && !window; hour++) {
    sum += baseline.expected(minus(now, hour * HOUR_MS), minus(now, (hour - 1) * HOUR_MS));
    if ((NO_DATA_WINDOWS_HOURS as readonly number[]).includes(hour) && sum >= s.minExpected) window = { hours: hour, expected: sum };
  }
  if (!window) {
    return { verdict: 'holding', title: `${client.name}: too little traffic expected to judge silence`, facts: { weeks: baseline.weeks } };
  }
  const from = minus(now, window.hours * HOUR_MS);
  const observed = (await ctx.counts(from, now)).sessions;
  const p = poissonCdf(observed, window.expected);
  const expected = Math.round(window.expected * 10) / 10;
  const usually = `(usually ${Math.round(window.expected)})`;
  const title = observed === 0
    ? `${client.name}: no chatbot sessions for ${span(window.hours * HOUR_MS)} ${usually}`
    : `${client.name}: only ${observed} chatbot sessions in ${span(window.hours * HOUR_MS)} ${usually}`;
  const verdict = p < s.pValue ? 'failing' : p > s.resolvePValue ? 'clear' : 'holding';
  return { verdict, title, facts: { windowHours: window.hours, observed, expected, p, weeks: baseline.weeks } };
}
