import { countChange, rateChange, secondsChange, type Change } from './compare.ts';
import type { DailyRow } from './getDaily.ts';
import type { Funnel } from './getFunnel.ts';
import type { HourlyRow } from './getHourly.ts';
import type { LeadStats } from './getLeads.ts';
import type { KeyMetrics } from './getMetrics.ts';
import { COUNTERS } from './steps.ts';

/** What changed between two periods, metric by metric; each rate carries the count it was built on. */
export function funnelChanges(current: Funnel, previous: Funnel): Change[] {
  const base = (f: Funnel, i: number) => (i === 0 ? f.sessions : f.steps[i - 1]!.count);
  const humans = (f: Funnel) => f.steps.at(-1)!.count;
  return [
    countChange('sessions', current.sessions, previous.sessions),
    ...current.steps.flatMap((step, i) => {
      const before = previous.steps[i]!;
      return [
        countChange(`steps.${step.step}.count`, step.count, before.count),
        rateChange(`steps.${step.step}.rateFromPrevious`, { value: step.rateFromPrevious, of: base(current, i) }, { value: before.rateFromPrevious, of: base(previous, i) }),
      ];
    }),
    ...current.actions.flatMap((action, i) => {
      const before = previous.actions[i]!;
      return [
        countChange(`actions.${action.action}.count`, action.count, before.count),
        rateChange(`actions.${action.action}.rate`, { value: action.rate, of: humans(current) }, { value: before.rate, of: humans(previous) }),
      ];
    }),
  ];
}

/** Totals over the period for every counter (days of two periods do not line up one to one). */
export function dailyChanges(current: { days: DailyRow[] }, previous: { days: DailyRow[] }): Change[] {
  const total = (days: DailyRow[], key: 'sessions' | (typeof COUNTERS)[number]) => days.reduce((n, d) => n + d[key], 0);
  return (['sessions', ...COUNTERS] as const).map((key) => countChange(`total.${key}`, total(current.days, key), total(previous.days, key)));
}

export function hourlyChanges(current: { hours: HourlyRow[] }, previous: { hours: HourlyRow[] }): Change[] {
  return current.hours.map((h, i) => countChange(`hours.${String(h.hour).padStart(2, '0')}.sessions`, h.sessions, previous.hours[i]!.sessions));
}

export function metricsChanges(current: KeyMetrics, previous: KeyMetrics): Change[] {
  const duration = (m: KeyMetrics, key: 'medianSeconds' | 'p90Seconds' | 'meanSeconds') => ({ value: m.duration[key], of: m.duration.sessions });
  return [
    countChange('sessions', current.sessions, previous.sessions),
    ...Object.entries(current.rates).map(([name, ratio]) => {
      const before = previous.rates[name as keyof KeyMetrics['rates']];
      return rateChange(`rates.${name}`, { value: ratio.value, of: ratio.denominator }, { value: before.value, of: before.denominator });
    }),
    ...(['accept', 'callback'] as const).map((side) => {
      const [now, then] = [current.acceptVsCallback[side], previous.acceptVsCallback[side]];
      return rateChange(`acceptVsCallback.${side}`, { value: now.value, of: now.denominator }, { value: then.value, of: then.denominator });
    }),
    ...(['medianSeconds', 'p90Seconds', 'meanSeconds'] as const).map((key) =>
      secondsChange(`duration.${key}`, duration(current, key), duration(previous, key))),
  ];
}

export function leadsChanges(current: LeadStats, previous: LeadStats): Change[] {
  if (!current.available || !previous.available) return [];
  return [
    countChange('total', current.total, previous.total),
    rateChange('captureRate', { value: current.captureRate, of: current.sessions }, { value: previous.captureRate, of: previous.sessions }),
    ...(['withEmail', 'withPhone'] as const).flatMap((key) => {
      const [now, then] = [current[key], previous[key]];
      return now === null || then === null ? [] : [countChange(key, now, then)];
    }),
  ];
}
