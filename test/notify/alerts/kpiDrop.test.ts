import { afterEach, expect, it } from 'vitest';
import { listAlerts } from '../../../src/notify/alerts/alertQueries.ts';
import { alertWorld, days, minutes, type AlertWorld } from './alertWorld.ts';

const NOW = new Date('2026-11-18T11:00:00Z');
const flat = (n: number) => Array.from({ length: 24 }, () => n);
let world: AlertWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const stateOf = async (w: AlertWorld, id: string, rule: string) =>
  (await listAlerts(w.platform.pool, [id], null)).find((a) => a.rule === rule)?.state ?? 'ok';

it('a one-day 10 % dip of the widget open rate on small numbers does not fire', async () => {
  world = await alertWorld('alerts_dip');
  await world.addClient('small', 'Europe/London');
  // 48 sessions a day at 40 % for four weeks, then 36 % for the last day.
  await world.fill('small', { from: days(NOW, -29), to: days(NOW, -1), perHour: flat(2), widget: 0.4 });
  await world.fill('small', { from: days(NOW, -1), to: NOW, perHour: flat(2), widget: 0.36 });
  for (const m of [0, 1, 2, 3]) expect((await world.round(minutes(NOW, m))).changes).toEqual([]);
  expect(await stateOf(world, 'small', 'widget-open-drop')).toBe('ok');
  expect(world.notifier.received).toEqual([]);
});

it('a one-day 10 % dip on large numbers does not fire either: it is below the minimum relative drop', async () => {
  world = await alertWorld('alerts_dip_large');
  await world.addClient('large', 'Europe/London');
  await world.fill('large', { from: days(NOW, -29), to: days(NOW, -1), perHour: flat(40), widget: 0.4 });
  await world.fill('large', { from: days(NOW, -1), to: NOW, perHour: flat(40), widget: 0.36 });
  for (const m of [0, 1, 2]) await world.round(minutes(NOW, m));
  expect(await stateOf(world, 'large', 'widget-open-drop')).toBe('ok');
});

it('a sustained halving of the widget open rate fires after two evaluations, naming both rates', async () => {
  world = await alertWorld('alerts_halving');
  await world.addClient('halved', 'Europe/London');
  await world.fill('halved', { from: days(NOW, -31), to: days(NOW, -3), perHour: flat(12), widget: 0.4 });
  await world.fill('halved', { from: days(NOW, -3), to: NOW, perHour: flat(12), widget: 0.2 });
  expect((await world.round(NOW)).changes).toContainEqual({ clientId: 'halved', rule: 'widget-open-drop', from: 'ok', to: 'pending' });
  expect((await world.round(minutes(NOW, 1))).changes).toContainEqual({ clientId: 'halved', rule: 'widget-open-drop', from: 'pending', to: 'firing' });
  await world.round(minutes(NOW, 2));
  const [sent] = world.notifier.of('halved', 'alert-firing');
  // Last 24 h: 20 %; the 28 days before: 25 of them at 40 %, 2 at 20 % (and this hour's 12 sessions of a third day).
  expect(sent!.title).toBe('Client halved: widget open rate 20 % in the last 24 h (usually 39 %)');
  expect(sent!.fields).toMatchObject({ rule: 'widget-open-drop', denominator: 288 });
  // The other rates hold: the sessions that open the widget still ask for a human as often.
  expect(await stateOf(world, 'halved', 'human-request-drop')).toBe('ok');
});
