import { afterEach, describe, expect, it } from 'vitest';
import { writeOverrides } from '../../../src/notify/alerts/ruleStore.ts';
import { listAlerts } from '../../../src/notify/alerts/alertQueries.ts';
import { alertWorld, BUSY, days, hours, minutes, QUIET, type AlertWorld } from './alertWorld.ts';

// Wednesday 18 November 2026, 11:00 in London (GMT): a busy hour.
const BUSY_HOUR = new Date('2026-11-18T11:00:00Z');
let world: AlertWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

/** A client with weeks of busy traffic that stops `silentHours` before `now`. */
async function silentClient(id: string, now: Date, { weeks = 5, silentHours = 2 } = {}) {
  world ??= await alertWorld('alerts_nodata');
  await world.addClient(id, 'Europe/London');
  await world.fill(id, { from: days(now, -7 * weeks), to: hours(now, -silentHours), perHour: BUSY });
  return world;
}

const noData = (w: AlertWorld, id: string) => listAlerts(w.platform.pool, [id], null).then((a) => a.find((x) => x.rule === 'no-data'));

describe('the no-data rule', () => {
  it('fires within two evaluations when a busy chatbot goes silent, and notifies once after the group wait', async () => {
    const w = await silentClient('silent', BUSY_HOUR);
    const first = await w.round(BUSY_HOUR);
    expect(first.changes).toEqual([{ clientId: 'silent', rule: 'no-data', from: 'ok', to: 'pending' }]);
    const second = await w.round(minutes(BUSY_HOUR, 1));
    expect(second.changes).toEqual([{ clientId: 'silent', rule: 'no-data', from: 'pending', to: 'firing' }]);
    expect(w.notifier.received).toEqual([]); // the 30 s group wait has not passed at the moment it fires
    await w.round(minutes(BUSY_HOUR, 2));
    await w.round(minutes(BUSY_HOUR, 3));
    const sent = w.notifier.of('silent');
    expect(sent.map((n) => n.kind)).toEqual(['alert-firing']);
    expect(sent[0]!.title).toBe('Client silent: no chatbot sessions for 1 h (usually 40)');
    expect(sent[0]!.url).toBe('https://alerts.example.com/silent/dashboard');
    expect(sent[0]!.fields).toMatchObject({ rule: 'no-data', observed: 0, expected: 40, windowHours: 1 });
    expect((await noData(w, 'silent'))?.state).toBe('firing');
  });

  it('repeats a firing notification only after the 4 h repeat interval', async () => {
    const w = await silentClient('repeat', BUSY_HOUR, { silentHours: 2 });
    for (const m of [0, 1, 2, 30, 120, 241]) await w.round(minutes(BUSY_HOUR, m));
    const keys = w.notifier.of('repeat').map((n) => n.key.split(':').slice(2).join(':'));
    expect(keys).toEqual(['1:firing:1']);
    await w.round(minutes(BUSY_HOUR, 243)); // 4 h after the first notification (sent at +2 min)
    expect(w.notifier.of('repeat').map((n) => n.key.split(':').slice(2).join(':'))).toEqual(['1:firing:1', '1:firing:2']);
  });

  it('does not fire for a quiet client at 3 am, whose nights are always empty', async () => {
    world = await alertWorld('alerts_quiet');
    const now = new Date('2026-11-18T03:00:00Z');
    await world.addClient('quiet', 'Europe/London');
    await world.fill('quiet', { from: days(now, -35), to: now, perHour: QUIET });
    for (const m of [0, 1, 2, 3]) expect((await world.round(minutes(now, m))).changes).toEqual([]);
    expect(world.notifier.received).toEqual([]);
    expect(await noData(world, 'quiet')).toBeUndefined();
  });

  it('never fires for a client with less than 3 weeks of history', async () => {
    const w = await silentClient('young', BUSY_HOUR, { weeks: 2 });
    for (const m of [0, 1, 2, 3]) expect((await w.round(minutes(BUSY_HOUR, m))).changes).toEqual([]);
    expect(w.notifier.received).toEqual([]);
  });

  it('resolves once traffic is back, notifying the resolution exactly once, and then returns to ok', async () => {
    const w = await silentClient('back', BUSY_HOUR);
    for (const m of [0, 1, 2]) await w.round(minutes(BUSY_HOUR, m));
    await w.fill('back', { from: hours(BUSY_HOUR, -2), to: hours(BUSY_HOUR, 3), perHour: BUSY });
    const resolved = await w.round(hours(BUSY_HOUR, 2));
    expect(resolved.changes).toEqual([{ clientId: 'back', rule: 'no-data', from: 'firing', to: 'resolved' }]);
    for (const m of [1, 2, 3]) await w.round(minutes(hours(BUSY_HOUR, 2), m));
    expect(w.notifier.of('back').map((n) => n.kind)).toEqual(['alert-firing', 'alert-resolved']);
    expect(w.notifier.of('back', 'alert-resolved')[0]!.title).toMatch(/^Resolved: Client back: /);
    expect((await noData(w, 'back'))?.state).toBe('ok');
    const { rows } = await w.platform.pool.query(`SELECT from_state || '>' || to_state AS step FROM notify.alert_history WHERE client_id = 'back' ORDER BY id`);
    expect(rows.map((r) => r.step)).toEqual(['ok>pending', 'pending>firing', 'firing>resolved', 'resolved>ok']);
  });

  it('holds notifications while muted and sends the firing one once the mute ends', async () => {
    const w = await silentClient('muted', BUSY_HOUR);
    await writeOverrides(w.platform.pool, 'muted', { rules: { 'no-data': { mutedUntil: minutes(BUSY_HOUR, 10).toISOString() } } }, 'test');
    for (const m of [0, 1, 2, 5, 9]) await w.round(minutes(BUSY_HOUR, m));
    expect((await noData(w, 'muted'))?.state).toBe('firing');
    expect(w.notifier.received).toEqual([]);
    await w.round(minutes(BUSY_HOUR, 11));
    expect(w.notifier.of('muted').map((n) => n.kind)).toEqual(['alert-firing']);
  });

  it("limited to business hours, it is not judged on the client's Saturday", async () => {
    const saturday = new Date('2026-11-21T11:00:00Z');
    const w = await silentClient('office', saturday);
    await writeOverrides(w.platform.pool, 'office', {
      businessHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, rules: { 'no-data': { businessHoursOnly: true } },
    }, 'test');
    for (const m of [0, 1, 2, 3]) expect((await w.round(minutes(saturday, m))).changes).toEqual([]);
    // Monday 09:00 in London, still silent since Saturday: judged again, and it fires.
    const monday = new Date('2026-11-23T09:00:00Z');
    await w.round(monday);
    await w.round(minutes(monday, 1));
    expect((await noData(w, 'office'))?.state).toBe('firing');
    expect(w.notifier.received).toEqual([]);
    await w.round(minutes(monday, 2));
    expect(w.notifier.of('office').map((n) => n.kind)).toEqual(['alert-firing']);
  });
});
