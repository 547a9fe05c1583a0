import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemoClients } from '../../../src/demo/loadDemo.ts';
import { DEMO_SCENARIOS } from '../../../src/demo/scenarios.ts';
import { listAlerts } from '../../../src/notify/alerts/alertQueries.ts';
import { alertWorld, minutes, type AlertWorld } from './alertWorld.ts';

/** The demo runtime's two clients, with its scenarios, on a real PostgreSQL: the alerts the newcomer will see. */
const NOW = new Date('2026-11-18T11:00:00Z');
let world: AlertWorld;
beforeAll(async () => {
  world = await alertWorld('alerts_demo');
  const clients = [{ id: 'maple', timezone: 'Australia/Sydney', schema: 'maple' }, { id: 'client2', timezone: 'Europe/London', schema: 'client2' }];
  for (const c of clients) await world.addClient(c.id, c.timezone);
  await loadDemoClients(world.data.pool, clients, { days: 35, now: NOW, scenarios: DEMO_SCENARIOS });
  for (const m of [0, 1, 2]) await world.round(minutes(NOW, m));
}, 120_000);
afterAll(() => world?.close());

it("fires exactly the demo's troubles: Northwind's silent chatbot and Maple's halved widget open rate", async () => {
  const open = await listAlerts(world.platform.pool, ['maple', 'client2'], ['pending', 'firing']);
  expect(open.map((a) => `${a.clientId}/${a.rule}:${a.state}`).sort()).toEqual(['client2/no-data:firing', 'maple/widget-open-drop:firing']);
  const titles = world.notifier.received.map((n) => n.title).sort();
  expect(titles).toHaveLength(2);
  expect(titles[0]).toMatch(/^Client client2: no chatbot sessions for \d+ h \(usually \d+\)$/);
  expect(titles[1]).toMatch(/^Client maple: widget open rate \d+ % in the last 24 h \(usually \d+ %\)$/);
});

it('has the silence and the drop in the data itself: none of the last 26 h, half the widget opens of the last days', async () => {
  const { rows: [last] } = await world.data.pool.query(`SELECT max("createdAt") AS at FROM client2."UserEvents"`);
  expect(new Date(`${String(last.at).replace(' ', 'T')}Z`).getTime()).toBeLessThanOrEqual(NOW.getTime() - 26 * 3_600_000);
  const { rows } = await world.data.pool.query(
    `SELECT ("createdAt" >= $1::timestamp) AS recent, count("widgetOpened")::float / count("pageLoaded") AS rate
       FROM maple."UserEvents" GROUP BY 1 ORDER BY 1`,
    [new Date(NOW.getTime() - 2 * 86_400_000).toISOString().slice(0, 19)],
  );
  expect(rows[1].rate / rows[0].rate).toBeGreaterThan(0.4);
  expect(rows[1].rate / rows[0].rate).toBeLessThan(0.6);
});
