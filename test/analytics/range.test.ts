import { describe, expect, it } from 'vitest';
import { resolveRange } from '../../src/analytics/range.ts';

const iso = (r: ReturnType<typeof resolveRange>) => [r.from.toISO(), r.to.toISO()];

describe('resolveRange', () => {
  it('turns inclusive local dates into [local midnight, next local midnight) across a 25-hour day', () => {
    const range = resolveRange({ from: '2024-04-07', to: '2024-04-07' }, 'Australia/Sydney');
    expect(iso(range)).toEqual(['2024-04-07T00:00:00.000+11:00', '2024-04-08T00:00:00.000+10:00']);
    expect(range.to.diff(range.from, 'hours').hours).toBe(25);
    expect(range.days).toEqual(['2024-04-07']);
  });

  it('starts a day at its first existing instant when local midnight is skipped', () => {
    // America/Santiago skipped 00:00–01:00 on 2024-09-08
    const range = resolveRange({ from: '2024-09-08', to: '2024-09-08' }, 'America/Santiago');
    expect(iso(range)).toEqual(['2024-09-08T01:00:00.000-03:00', '2024-09-09T00:00:00.000-03:00']);
  });

  it('defaults to the last 30 local days including today', () => {
    // 2024-04-07T15:00Z is already 2024-04-08 in Sydney
    const range = resolveRange({}, 'Australia/Sydney', new Date('2024-04-07T15:00:00Z'));
    expect(range.days).toHaveLength(30);
    expect([range.days[0], range.days.at(-1)]).toEqual(['2024-03-10', '2024-04-08']);
  });

  it('keeps RFC 3339 instants exact and lists the local days they touch', () => {
    const range = resolveRange({ from: '2024-04-06T12:30:00Z', to: '2024-04-06T13:30:00.5+00:00' }, 'Australia/Sydney');
    expect([range.from.toUTC().toISO(), range.to.toUTC().toISO()]).toEqual(['2024-04-06T12:30:00.000Z', '2024-04-06T13:30:00.500Z']);
    expect(range.days).toEqual(['2024-04-06', '2024-04-07']);
  });

  it('accepts the same day as from and to, and a span of exactly two years', () => {
    expect(resolveRange({ from: '2024-01-01', to: '2024-01-01' }, 'UTC').days).toHaveLength(1);
    expect(resolveRange({ from: '2022-01-01', to: '2023-12-31' }, 'UTC').days).toHaveLength(730);
  });

  it.each([
    [{ from: '2024-04-09', to: '2024-04-08' }, 'from: must not be after to'],
    [{ from: '2022-01-01', to: '2024-01-01' }, 'to: the range may span at most 2 years'],
    [{ from: '2024-02-30' }, 'from: "2024-02-30" is not a valid date'],
    [{ to: '2024-04-06T10:00:00' }, 'to: expected YYYY-MM-DD or an RFC 3339 date-time with offset'],
    [{ tz: 'Not/AZone' }, 'tz: "Not/AZone" is not an IANA time zone'],
    [{ from: '0001-01-01', to: '0001-01-02' }, 'from: must not be before 1900'],
    [{ from: '9999-06-01', to: '9999-12-31' }, 'to: must not be after 9999'],
  ])('rejects %j', (input, message) => {
    expect(() => resolveRange(input, 'UTC', new Date('2024-04-08T00:00:00Z'))).toThrow(message);
  });
});
