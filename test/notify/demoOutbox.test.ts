import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChannels } from '../../src/notify/delivery/channels.ts';
import { DEMO_OPERATORS_ADDRESS } from '../../src/notify/delivery/demoChannel.ts';
import { DeliveryNotifier } from '../../src/notify/delivery/notifier.ts';
import { evaluateAlerts } from '../../src/notify/alerts/evaluateAlerts.ts';
import { sendLatestReports } from '../../src/notify/reports/latestReports.ts';
import { reportDepsFor } from '../../src/notify/reports/reportDeps.ts';
import type { OutboxMessage } from '../../src/notify/outbox.ts';
import { startDemoRuntime, type DemoRuntime } from '../helpers/demoRuntime.ts';
import type pg from 'pg';
import { DEMO_TRAFFIC_CRON, DEMO_TRAFFIC_QUEUE } from '../../src/main/demoJobs.ts';
import { jobsOf } from '../jobs/support/workers.ts';
import { capturedLogger } from '../helpers/logCapture.ts';
import { eventually } from '../helpers/smtpServer.ts';

/**
 * `npm start` on a fresh machine: no SMTP and demo data, so every email goes to the outbox the product shows. The
 * newcomer finds there, without waiting for Monday, each client's latest weekly report and the operator digest, and
 * the alert about Northwind's silent chatbot, sent to the demo's default channel.
 */
let demo: DemoRuntime;
const lines: string[] = [];
const outbox = async () => {
  const res = await demo.app.inject({ method: 'GET', url: '/api/outbox?limit=100' });
  expect(res.statusCode).toBe(200);
  return (res.json() as { messages: OutboxMessage[] }).messages;
};

beforeAll(async () => {
  demo = await startDemoRuntime('outbox', lines, { embeddedPlatform: true });
}, 180_000);
afterAll(() => demo?.close());

describe('the demo outbox', () => {
  it('holds the latest weekly report of each client and the operator digest, sent once at start-up', { timeout: 120_000 }, async () => {
    const isReport = (m: OutboxMessage) => /: weekly report, /.test(m.subject) || m.subject.startsWith('Portfolio digest, ');
    const reports = (await eventually(outbox, (ms) => ms.filter(isReport).length >= 3, 110_000, 250)).filter(isReport);
    expect(reports.map((m) => m.subject.split(/[:,]/)[0]).sort()).toEqual(['Maple Dental Clinic', 'Northwind Outdoor Shop', 'Portfolio digest']);
    expect(reports.every((m) => m.to === DEMO_OPERATORS_ADDRESS && m.status === 'outbox-only')).toBe(true);
    const maple = reports.find((m) => m.subject.startsWith('Maple Dental Clinic'))!;
    expect(maple.attachments.map((a) => a.contentType)).toContain('image/png');
    expect(lines.some((l) => l.includes('demo: the latest weekly report of each client and the operator digest'))).toBe(true);
    const digest = reports.find((m) => m.subject.startsWith('Portfolio digest'))!;
    expect(digest.subject).toMatch(/: 2 clients, \d+ flagged$/);
    expect(digest.text).toContain('Maple Dental Clinic');
    expect(digest.text).toContain('Northwind Outdoor Shop');

    // Once: asked again (another start on the same platform database), nothing more is recorded or queued.
    const { runtime } = demo;
    const deps = reportDepsFor({
      platform: runtime.platform.pool, clients: runtime.registry, databases: runtime.databases, cache: runtime.cache, rollups: null,
      mailer: runtime.mailer, log: capturedLogger(lines), publicUrl: null,
    });
    expect(await sendLatestReports(runtime.jobs, deps, DEMO_OPERATORS_ADDRESS)).toEqual([]);
  });

  it('sends the alert about the silent chatbot to the demo channel, which reaches the outbox', { timeout: 120_000 }, async () => {
    const { runtime } = demo;
    const [channel] = await listChannels(runtime.platform.pool);
    expect(channel).toMatchObject({ name: 'Demo operators', kind: 'email', addresses: [DEMO_OPERATORS_ADDRESS], clientIds: null, enabled: true });
    const deps = {
      answers: { databases: runtime.databases, cache: runtime.cache, rollups: runtime.rollups?.reader ?? null, now: () => new Date(), log: capturedLogger(lines) },
      platform: runtime.platform.pool, clients: runtime.registry, notifier: new DeliveryNotifier(runtime.platform.pool, runtime.jobs), publicUrl: null,
    };
    // Two failing evaluations fire it; the group wait (30 s) later it is notified: a clock of the test's own.
    const start = Date.now();
    for (const minutes of [0, 1, 2]) await evaluateAlerts(deps, new Date(start + minutes * 60_000));
    const alert = (ms: OutboxMessage[]) => ms.find((m) => /^Northwind Outdoor Shop: no chatbot sessions for \d+ h \(usually \d+\)$/.test(m.subject));
    const message = alert(await eventually(outbox, (ms) => alert(ms) !== undefined, 60_000, 250))!;
    expect(message).toMatchObject({ to: DEMO_OPERATORS_ADDRESS, status: 'outbox-only' });
    expect(message.text).toContain('Northwind Outdoor Shop');
  });

  it('keeps the demo traffic live: the minute job is scheduled and its append runs on the queue', { timeout: 60_000 }, async () => {
    const { runtime } = demo;
    const pool = runtime.platform.pool as pg.Pool;
    const { rows } = await pool.query('SELECT name, cron FROM pgboss.schedule WHERE name = $1', [DEMO_TRAFFIC_QUEUE]);
    expect(rows).toEqual([{ name: DEMO_TRAFFIC_QUEUE, cron: DEMO_TRAFFIC_CRON }]);
    await runtime.jobs.send(DEMO_TRAFFIC_QUEUE, {});
    const done = await eventually(() => jobsOf(pool, DEMO_TRAFFIC_QUEUE), (jobs) => jobs.some((j) => j.state === 'completed'), 30_000, 250);
    expect(done.filter((j) => j.state === 'failed')).toEqual([]);
  });
});
