import { describe, expect, it } from 'vitest';
import { newRecord, nextState, type AlertRecord, type Verdict } from '../../../src/notify/alerts/alertState.ts';
import { notificationDue, notified } from '../../../src/notify/alerts/notificationPolicy.ts';
import { withinBusinessHours } from '../../../src/notify/alerts/businessHours.ts';
import { normalUpperTail, poissonCdf, proportionDropP } from '../../../src/notify/alerts/statistics.ts';

const T0 = new Date('2026-11-18T11:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const outcome = (verdict: Verdict) => ({ verdict, title: 't', facts: {} });

/** Runs verdicts one a minute from T0 and gives the states they led to. */
function run(verdicts: Verdict[], forSeconds = 0, start: AlertRecord = newRecord('c', 'no-data', T0)): AlertRecord[] {
  const states: AlertRecord[] = [];
  let record: AlertRecord = { ...start, id: 1 };
  verdicts.forEach((v, i) => states.push((record = nextState(record, outcome(v), at(i), forSeconds))));
  return states;
}

describe('alert states', () => {
  it('needs two failing evaluations in a row to fire; one failure alone goes back to ok', () => {
    expect(run(['failing', 'holding', 'failing', 'failing']).map((r) => r.state)).toEqual(['pending', 'ok', 'pending', 'firing']);
  });

  it('stays firing while within the margin and resolves only once clear, then returns to ok', () => {
    const states = run(['failing', 'failing', 'holding', 'failing', 'clear', 'clear']).map((r) => r.state);
    expect(states).toEqual(['pending', 'firing', 'firing', 'firing', 'resolved', 'ok']);
  });

  it('waits for the pending period (the database rule: 5 minutes) before firing', () => {
    const states = run(Array(7).fill('failing'), 300).map((r) => r.state);
    expect(states).toEqual(['pending', 'pending', 'pending', 'pending', 'pending', 'firing', 'firing']);
  });

  it('keeps its state when a rule could not be judged, and is ok at once when switched off', () => {
    expect(run(['failing', 'unknown', 'failing']).map((r) => r.state)).toEqual(['pending', 'pending', 'firing']);
    expect(run(['failing', 'failing', 'off']).map((r) => r.state)).toEqual(['pending', 'firing', 'ok']);
  });

  it('stays resolved while a resolved notification is owed', () => {
    const [, firing] = run(['failing', 'failing']);
    const told = notified(firing!, { kind: 'alert-firing', key: 'k' }, at(2));
    const resolved = nextState(told, outcome('clear'), at(3));
    expect(resolved.state).toBe('resolved');
    expect(nextState(resolved, outcome('clear'), at(4)).state).toBe('resolved');
    const done = notified(resolved, { kind: 'alert-resolved', key: 'r' }, at(8));
    expect(nextState(done, outcome('clear'), at(9)).state).toBe('ok');
  });
});

describe('the notification policy (Grafana defaults)', () => {
  const firing = { ...run(['failing', 'failing'])[1]!, since: T0 };

  it('waits 30 s after firing, then repeats every 4 h, with a new key each time', () => {
    expect(notificationDue(firing, new Date(T0.getTime() + 29_000), false)).toBeNull();
    expect(notificationDue(firing, new Date(T0.getTime() + 30_000), false)).toEqual({ kind: 'alert-firing', key: 'alert:1:1:firing:1' });
    const told = notified(firing, { kind: 'alert-firing', key: 'alert:1:1:firing:1' }, at(1));
    expect(notificationDue(told, at(1 + 239), false)).toBeNull();
    expect(notificationDue(told, at(1 + 240), false)).toEqual({ kind: 'alert-firing', key: 'alert:1:1:firing:2' });
  });

  it('sends the resolution once, a group interval (5 min) after the last notification, and only if the firing was sent', () => {
    const told = notified(firing, { kind: 'alert-firing', key: 'x' }, at(1));
    const resolved = { ...told, state: 'resolved' as const, since: at(2) };
    expect(notificationDue(resolved, at(5), false)).toBeNull();
    expect(notificationDue(resolved, at(6), false)).toEqual({ kind: 'alert-resolved', key: 'alert:1:1:resolved' });
    expect(notificationDue(notified(resolved, { kind: 'alert-resolved', key: 'r' }, at(6)), at(7), false)).toBeNull();
    expect(notificationDue({ ...firing, state: 'resolved' }, at(60), false)).toBeNull();
  });

  it('sends nothing while quiet (muted or outside business hours)', () => {
    expect(notificationDue(firing, at(10), true)).toBeNull();
  });
});

describe('business hours', () => {
  const hours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:30' };
  it("are read on the client's own clock", () => {
    // 22:30 UTC on Monday is 09:30 on Tuesday in Sydney (AEDT, +11).
    expect(withinBusinessHours(hours, 'Australia/Sydney', new Date('2026-11-16T22:30:00Z'))).toBe(true);
    expect(withinBusinessHours(hours, 'Europe/London', new Date('2026-11-16T22:30:00Z'))).toBe(false);
    expect(withinBusinessHours(hours, 'Europe/London', new Date('2026-11-21T10:00:00Z'))).toBe(false); // Saturday
    expect(withinBusinessHours(null, 'Europe/London', new Date('2026-11-21T03:00:00Z'))).toBe(true);
  });
});

describe('statistics', () => {
  it('Poisson tail matches known values', () => {
    expect(poissonCdf(0, 40)).toBeCloseTo(Math.exp(-40), 25);
    expect(poissonCdf(2, 3)).toBeCloseTo(0.42319008, 7);
    expect(poissonCdf(10, 10)).toBeCloseTo(0.58303975, 7);
    expect(poissonCdf(-1, 3)).toBe(0);
  });

  it('two-proportion test: a halving on hundreds is significant, a 10 % dip on dozens is not', () => {
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(proportionDropP(58, 288, 2700, 7000)).toBeLessThan(1e-6);
    expect(proportionDropP(17, 48, 538, 1344)).toBeGreaterThan(0.2);
  });
});
