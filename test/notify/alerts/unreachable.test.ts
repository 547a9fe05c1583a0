import { afterAll, beforeAll, expect, it } from 'vitest';
import { tableRef } from '../../../src/db/identifiers.ts';
import { listAlerts } from '../../../src/notify/alerts/alertQueries.ts';
import { freePort } from '../../helpers/freePort.ts';
import { alertWorld, BUSY, days, hours, minutes, type AlertWorld } from './alertWorld.ts';

const NOW = new Date('2026-11-18T11:00:00Z');
let world: AlertWorld;
beforeAll(async () => {
  world = await alertWorld('alerts_down');
  await world.addClient('down', 'Europe/London', { url: `postgres://postgres@127.0.0.1:${await freePort()}/gone` });
  await world.addClient('silent', 'Europe/London');
  await world.fill('silent', { from: days(NOW, -35), to: hours(NOW, -2), perHour: BUSY });
  await world.addClient('handoffs', 'Europe/London');
  // Nine requests for a human 20–36 minutes ago that nobody took up, and two that were accepted.
  await world.data.pool.query(
    `INSERT INTO ${tableRef('handoffs', 'UserEvents')} ("sessionId", "pageLoaded", "widgetOpened", "requestedHuman", "pressedAccept", "createdAt", "updatedAt")
     SELECT 'h' || g, t, t + interval '5 s', t + interval '30 s', CASE WHEN g > 9 THEN t + interval '60 s' END, t, t
       FROM generate_series(1, 11) AS g, LATERAL (SELECT $1::timestamptz - (20 + g) * interval '1 minute' AS t) AS x`,
    [NOW.toISOString()],
  );
});
afterAll(() => world.close());

const states = async () => Object.fromEntries((await listAlerts(world.platform.pool, ['down', 'silent', 'handoffs'], null)).map((a) => [`${a.clientId}/${a.rule}`, a.state]));

it('a down database fires after being unreachable for 5 minutes, and never holds up the other clients', async () => {
  const first = await world.round(NOW);
  expect(first.failures).toEqual([{ clientId: 'down', failure: 'DATABASE_UNAVAILABLE' }]);
  await world.round(minutes(NOW, 1));
  expect(await states()).toEqual({ 'down/database-unreachable': 'pending', 'silent/no-data': 'firing', 'handoffs/unanswered-handoffs': 'firing' });
  for (const m of [2, 3, 4]) await world.round(minutes(NOW, m));
  expect((await states())['down/database-unreachable']).toBe('pending');
  await world.round(minutes(NOW, 5));
  expect((await states())['down/database-unreachable']).toBe('firing');
  await world.round(minutes(NOW, 6));
  expect(world.notifier.of('down').map((n) => n.title)).toEqual(['Client down: its database cannot be reached']);
  // The down client's data rules were not judged (not "ok" by default, not failing either): no rows for them.
  expect(Object.keys(await states()).filter((k) => k.startsWith('down/'))).toEqual(['down/database-unreachable']);
});

it('more than 5 unanswered requests for a human in an hour fire, titled with the counts', () => {
  const [sent] = world.notifier.of('handoffs');
  expect(sent!.title).toBe('Client handoffs: 9 of 11 requests for a human unanswered in 1 h');
  expect(sent!.fields).toMatchObject({ unanswered: 9, abandoned: 9, requests: 11 });
});
