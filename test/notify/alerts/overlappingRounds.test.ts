import { afterAll, beforeAll, expect, it } from 'vitest';
import { evaluateAlerts } from '../../../src/notify/alerts/evaluateAlerts.ts';
import { alertWorld, BUSY, days, hours, minutes, RecordingNotifier, type AlertWorld } from './alertWorld.ts';

const NOW = new Date('2026-11-18T11:00:00Z');
let world: AlertWorld;
beforeAll(async () => {
  world = await alertWorld('alerts_overlap');
  for (const id of ['one', 'two', 'three']) {
    await world.addClient(id, 'Europe/London');
    await world.fill(id, { from: days(NOW, -35), to: hours(NOW, -2), perHour: BUSY });
  }
});
afterAll(() => world?.close());

it('two rounds at once (two replicas) hand each notification over once between them', async () => {
  // Each "replica" has a receiver of its own, as two processes would: only the key is shared, in the platform database.
  const receivers = [new RecordingNotifier(), new RecordingNotifier()];
  for (const m of [0, 1, 2, 3]) {
    await Promise.all(receivers.map((notifier) => evaluateAlerts({ ...world.deps, notifier }, minutes(NOW, m))));
  }
  const keys = receivers.flatMap((r) => r.received.map((n) => `${n.clientId}:${n.kind}`)).sort();
  expect(keys).toEqual(['one:alert-firing', 'three:alert-firing', 'two:alert-firing']);
  const { rows } = await world.platform.pool.query(`SELECT client_id || ':' || to_state AS step FROM notify.alert_history ORDER BY client_id, id`);
  expect(rows.map((r) => r.step)).toEqual(['one:pending', 'one:firing', 'three:pending', 'three:firing', 'two:pending', 'two:firing']);
});

it('a second round at the same moment does not count as a second failing evaluation', async () => {
  await world.addClient('four', 'Europe/London');
  await world.fill('four', { from: days(NOW, -35), to: hours(NOW, -2), perHour: BUSY });
  const later = minutes(NOW, 10);
  await world.round(later);
  const again = await world.round(later);
  expect(again.changes.filter((c) => c.clientId === 'four')).toEqual([]);
  expect((await world.round(minutes(later, 1))).changes.filter((c) => c.clientId === 'four')).toEqual([{ clientId: 'four', rule: 'no-data', from: 'pending', to: 'firing' }]);
});
