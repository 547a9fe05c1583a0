import { describe, expect, it } from 'vitest';
import { contrast, readableOnWhite, textOn } from '../../src/web/app/color.ts';
import { describeChange, formatDuration, formatNumber, formatSpan, formatTime } from '../../src/web/app/format.ts';
import { describeStaffing, worstCell } from '../../src/web/app/staffing.ts';
import { transitionLabel } from '../../src/web/app/timeToConvert.ts';
import type { Change } from '../../src/web/app/api.ts';
import { addDays, dayCount, PRESETS, rangeFromSearch } from '../../src/web/app/range.ts';

const DEFAULT = { from: '2024-03-10', to: '2024-04-08' };
const preset = (id: string) => PRESETS.find((p) => p.id === id)!.range('2024-04-08');

describe('date ranges (local dates, whatever the browser time zone)', () => {
  it('builds the presets from the API default range end', () => {
    expect(preset('today')).toEqual({ from: '2024-04-08', to: '2024-04-08' });
    expect(preset('7d')).toEqual({ from: '2024-04-02', to: '2024-04-08' });
    expect(preset('30d')).toEqual(DEFAULT);
    expect(preset('90d')).toEqual({ from: '2024-01-10', to: '2024-04-08' });
    expect(preset('month')).toEqual({ from: '2024-04-01', to: '2024-04-08' });
  });

  it('counts calendar days across month, leap-day and DST ends', () => {
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(dayCount({ from: '2024-03-30', to: '2024-04-01' })).toBe(3); // a DST weekend is still 3 days
  });

  it('reads the range from the address and explains what it ignored', () => {
    expect(rangeFromSearch('?from=2024-04-01&to=2024-04-05', DEFAULT)).toEqual({ range: { from: '2024-04-01', to: '2024-04-05' }, problem: null });
    expect(rangeFromSearch('', DEFAULT)).toEqual({ range: DEFAULT, problem: null });
    expect(rangeFromSearch('?to=2024-02-29', DEFAULT).range).toEqual({ from: '2024-01-31', to: '2024-02-29' });
    expect(rangeFromSearch('?from=2024-02-30', DEFAULT)).toEqual({ range: DEFAULT, problem: 'Ignored from "2024-02-30" in the address: expected YYYY-MM-DD.' });
    expect(rangeFromSearch('?from=2024-04-09&to=2024-04-01', DEFAULT).range).toEqual(DEFAULT);
  });
});

describe('numbers and colours', () => {
  const change = (kind: Change['kind'], current: number | null, previous: number | null): Change => ({
    metric: 'x', kind, current, previous, change: null, smallSample: false,
    relativeChange: current !== null && previous ? (current - previous) / previous : null,
    percentagePoints: kind === 'rate' && current !== null && previous !== null ? (current - previous) * 100 : null,
  });

  it("words the API's changes: counts in percent, rates in percentage points", () => {
    expect(describeChange(change('count', 150, 100))).toEqual({ direction: 'up', text: '+50%' });
    expect(describeChange(change('rate', 0.25, 0.3))).toEqual({ direction: 'down', text: '-5 pp' });
    expect(describeChange(change('count', 3, 0))).toEqual({ direction: 'up', text: 'up from 0' });
    expect(describeChange(change('count', 0, 0))).toEqual({ direction: 'flat', text: 'no change' });
    expect(describeChange(change('rate', null, 0.3))).toEqual({ direction: 'none', text: 'no comparison' });
    expect(describeChange(undefined)).toEqual({ direction: 'none', text: 'no comparison' });
    expect(formatDuration(3725)).toBe('1h 02m');
    expect(formatDuration(65)).toBe('1m 05s');
  });

  it('keeps any client colour readable as text on white and picks the readable text colour on it', () => {
    for (const color of ['#ffd700', '#0f766e', '#b45309', '#ffffff', 'not-a-colour']) expect(contrast(readableOnWhite(color), '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(readableOnWhite('#0f766e')).toBe('#0f766e'); // already readable: unchanged
    expect(textOn('#ffd700')).toBe('#1f2328');
    expect(textOn('#0f766e')).toBe('#ffffff');
  });
});

describe('handoff, time-to-convert and session wording', () => {
  const cell = (weekday: number, hour: number, requested: number, answered: number) => ({ weekday, hour, requested, answered });

  it('finds the hour with the most unanswered requests (ties: the earlier one) and describes the staffing view', () => {
    const cells = [cell(1, 9, 3, 3), cell(2, 10, 4, 2), cell(3, 8, 2, 0), cell(7, 23, 1, 0)];
    expect(worstCell(cells)).toEqual(cell(2, 10, 4, 2));
    expect(describeStaffing(cells)).toBe('Agent requests by weekday and local hour: 10 requested, 5 answered. Most unanswered: Tue 10:00, 2 of 4.');
    expect(worstCell([cell(1, 0, 0, 0), cell(5, 12, 2, 2)])).toBeNull();
    expect(describeStaffing([cell(5, 12, 2, 2)])).toBe('Agent requests by weekday and local hour: 2 requested, 2 answered. Every request was answered.');
  });

  it('names transitions and formats settings, percentiles and times of day on the client clock', () => {
    expect(transitionLabel({ from: 'pageLoaded', to: 'pressedContinue' })).toBe('Page load → Continue with bot');
    expect([formatSpan(600), formatSpan(3600), formatSpan(7200), formatSpan(90)]).toEqual(['10 minutes', '1 hour', '2 hours', '90 seconds']);
    expect([formatNumber(5.2), formatNumber(3), formatNumber(8.074), formatNumber(null)]).toEqual(['5.2', '3', '8.1', '—']);
    // 00:00:05 UTC on 1 May is 10:00:05 in Sydney (AEST) and 01:00:05 in London (BST)
    expect(formatTime('2024-05-01T00:00:05Z', 'Australia/Sydney')).toBe('10:00:05');
    expect(formatTime('2024-05-01T00:00:05Z', 'Europe/London')).toBe('01:00:05');
  });
});
