import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Jobs } from '../../../src/jobs/jobs.ts';
import { startJobs } from '../../../src/jobs/pgBossJobs.ts';
import { ALERTS_CRON, ALERTS_QUEUE, registerAlertJobs } from '../../../src/notify/alerts/alertJobs.ts';
import { listAlerts } from '../../../src/notify/alerts/alertQueries.ts';
import { capturedLogger } from '../../helpers/logCapture.ts';
import { eventually } from '../../helpers/smtpServer.ts';
import { alertWorld, BUSY, days, hours, type AlertWorld } from './alertWorld.ts';

const NOW = new Date('2026-11-18T11:00:00Z');
let world: AlertWorld;
let jobs: Jobs;
beforeAll(async () => {
  world = await alertWorld('alerts_jobs');
  await world.addClient('silent', 'Europe/London');
  await world.fill('silent', { from: days(NOW, -35), to: hours(NOW, -2), perHour: BUSY });
  jobs = await startJobs(world.platform.pool, { work: true, pollMs: 500, superviseSeconds: 1, graceMs: 2000 }, capturedLogger());
  await registerAlertJobs(jobs, { ...world.deps, answers: { ...world.deps.answers, now: () => NOW } });
}, 60_000);
afterAll(async () => {
  await jobs?.stop();
  await world?.close();
});

it('schedules a round every minute as one schedule, and a job on the queue runs a round', async () => {
  const { rows } = await world.platform.pool.query('SELECT name, cron FROM pgboss.schedule WHERE name = $1', [ALERTS_QUEUE]);
  expect(rows).toEqual([{ name: ALERTS_QUEUE, cron: ALERTS_CRON }]);
  await jobs.send(ALERTS_QUEUE, {});
  const alerts = await eventually(() => listAlerts(world.platform.pool, ['silent'], null), (a) => a.length > 0, 30_000);
  expect(alerts.map((a) => `${a.rule}:${a.state}:${a.since}`)).toEqual(['no-data:pending:2026-11-18T11:00:00.000Z']);
});
