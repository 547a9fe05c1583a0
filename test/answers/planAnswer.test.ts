import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/analytics/errors.ts';
import { planAnswer } from '../../src/answers/answerMetric.ts';
import { funnel, metrics } from '../../src/answers/metrics.ts';
import { testClient } from '../helpers/buildTestApp.ts';

/** Plans are kept for the local day they were made on: a cache hit does not resolve its range again. */
const sydney = testClient('plan-sydney', 'Australia/Sydney', null);
const at = (iso: string) => new Date(iso);

describe('planAnswer', () => {
  it('reuses the plan of the same request on the same local day, whatever the order of its parameters', () => {
    const first = planAnswer(sydney, funnel, { from: '2024-04-01', to: '2024-04-07', mode: 'ordered' }, at('2024-04-08T01:00:00Z'));
    const again = planAnswer(sydney, funnel, { mode: 'ordered', to: '2024-04-07', from: '2024-04-01' }, at('2024-04-08T10:00:00Z'));
    expect(again).toBe(first);
    expect(first.range.from.toISO()).toBe('2024-04-01T00:00:00.000+11:00');
  });

  it('makes the default range again once the local day has changed (Sydney midnight is 14:00 UTC after its DST ended on 7 April)', () => {
    const before = planAnswer(sydney, funnel, {}, at('2024-04-08T13:59:59Z'));
    const after = planAnswer(sydney, funnel, {}, at('2024-04-08T14:00:01Z'));
    expect(before.range.days.at(-1)).toBe('2024-04-08');
    expect(after.range.days.at(-1)).toBe('2024-04-09');
    expect(after.cacheKey).not.toBe(before.cacheKey);
    // and back: a clock set back finds the plan of its own day, not the later one
    expect(planAnswer(sydney, funnel, {}, at('2024-04-08T05:00:00Z')).range.days.at(-1)).toBe('2024-04-08');
  });

  it('keeps plans apart per metric and client time zone, and never keeps a refusal', () => {
    const input = { from: '2024-04-01', to: '2024-04-07' };
    const now = at('2024-04-08T01:00:00Z');
    expect(planAnswer(sydney, metrics, input, now).cacheKey).not.toBe(planAnswer(sydney, funnel, input, now).cacheKey);
    const london = { ...sydney, timezone: 'Europe/London' };
    expect(planAnswer(london, funnel, input, now).range.from.toISO()).toBe('2024-04-01T00:00:00.000+01:00');
    for (let i = 0; i < 2; i++) {
      expect(() => planAnswer(sydney, funnel, { from: '2024-04-08', to: '2024-04-01' }, now)).toThrow(InvalidParameterError);
    }
  });
});
