import { describe, expect, it } from 'vitest';
import { contrast, readableOnWhite, textOn } from '../../src/web/app/color.ts';
import { describeChange, formatDuration } from '../../src/web/app/format.ts';
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
