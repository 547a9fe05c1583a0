import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { ParsedMail } from 'mailparser';
import { eventually, startSmtpServer, type TestSmtp } from '../helpers/smtpServer.ts';
import { ADDRESSES, NAMES, notifyWorld, TZ, type NotifyWorld } from './support/notifyWorld.ts';
import { CRON_QUEUE } from './support/testQueues.ts';
import { jobsOf, startWorkerProcess, type WorkerProcess } from './support/workers.ts';

/**
 * Exactly once, with the platform's real report and alert jobs: two worker processes (`startWorker`, as
 * `npm run worker`) on one platform database and a real SMTP server. At one local minute in Kathmandu two weekly
 * reports fall due and a cron job of the tests fires; the SMTP server holds maple's report open mid-DATA and the
 * process sending it is SIGKILLed (a replacement starts, as an orchestrator would); maple's chatbot has gone silent,
 * so its no-data alert fires two minutes later. Each email arrives once — also after a further full cron minute.
 */
const QUEUES = ['report-send', 'reports-due', 'alerts-evaluate', 'notify-delivery', CRON_QUEUE];
let smtp: TestSmtp;
let world: NotifyWorld;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  smtp = await startSmtpServer({ holdFirst: 1, holdTo: ADDRESSES.mapleReport });
  world = await notifyWorld(smtp.url);
}, 120_000);
afterAll(async () => {
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
  await smtp?.close();
  await world?.world.close();
});

const to = (address: string) => smtp.messages.filter((m: ParsedMail) => [m.to ?? []].flat().some((t) => t.value.some((v) => v.address === address)));
const waitFor = <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number) => eventually(read, done, timeoutMs, 250);
const query = async <R extends object>(sql: string, values: unknown[] = []) => (await world.world.platform.pool.query<R>(sql, values)).rows;
const runs = () => query<{ id: number; client: string; sent: boolean; attempts: number; periodStart: Date }>(
  `SELECT id::int, client_id AS client, sent_at IS NOT NULL AS sent, attempts, period_start AS "periodStart" FROM notify.report_runs ORDER BY client_id`);
const sendJobOf = async (runId: number) => (await query<{ id: string }>(`SELECT id FROM pgboss.job WHERE name = 'report-send' AND (data->>'runId')::int = $1`, [runId]))[0]!.id;

describe('the real report and alert jobs on two platform processes', () => {
  it('sends each report and the alert once, also when the process sending a report is killed mid-send', { timeout: 540_000 }, async () => {
    const started = Date.now();
    workers = await Promise.all([startWorkerProcess(world.env), startWorkerProcess(world.env)]);
    const [first, second] = world.occurrences as [DateTime, DateTime];

    // The occurrence: birch's report and the first cron email arrive; maple's report is held open mid-DATA, and that
    // send is the only job still running (the kill cuts nothing else short).
    await waitFor(async () => ({
      held: smtp.held, birch: to(ADDRESSES.birchReport).length, cron: to(ADDRESSES.cron).length,
      running: await query<{ name: string }>(`SELECT name FROM pgboss.job WHERE name = ANY($1) AND state NOT IN ('completed', 'failed')`, [QUEUES]),
    }), (s) => s.held === 1 && s.birch === 1 && s.cron === 1 && s.running.map((j) => j.name).join() === 'report-send', 180_000);
    const heldAt = Date.now();
    const maple = (await runs()).find((r) => r.client === 'maple')!;
    const mapleSend = await sendJobOf(maple.id);
    const holder = workers.find((w) => w.starts.some((s) => s.jobId === mapleSend))!;
    expect(holder).toBeDefined();
    holder.kill('SIGKILL');
    await holder.exited;
    workers.push(await startWorkerProcess(world.env)); // a replacement, so two processes take the rest

    // The send times out (REPORT_SEND_TIMEOUT_SECONDS), is retried after its delay, and another process sends it.
    await waitFor(async () => to(ADDRESSES.mapleReport).length, (n) => n === 1, 240_000);
    const resentAt = Date.now();
    await waitFor(async () => to(ADDRESSES.mapleAlerts).length, (n) => n === 1, 240_000);
    const alertedAt = Date.now();
    // A further full cron minute — a round and a tick past the last email, and the second occurrence's due window —
    // and every job settled.
    const quietUntil = Date.now() + 65_000;
    const secondDue = second.toMillis() + 62_000;
    await waitFor(async () => ({
      now: Date.now(),
      cronOn: (await query<{ at: Date | null }>('SELECT cron_on AS at FROM pgboss.version'))[0]?.at?.getTime() ?? 0,
      busy: (await query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ANY($1) AND state NOT IN ('completed', 'failed')`, [QUEUES]))[0]!.n,
    }), (s) => s.now > quietUntil && s.cronOn > secondDue && s.busy === 0, 180_000);
    console.log(`notify once: workers up and first occurrence ${Math.round((heldAt - started) / 1000)} s; killed report resent ${Math.round((resentAt - heldAt) / 1000)} s after the kill; alert email ${Math.round((alertedAt - heldAt) / 1000)} s after the occurrence; whole test ${Math.round((Date.now() - started) / 1000)} s`);

    // The emails: one each (the cron job's two occurrences, one each), nothing else.
    expect(to(ADDRESSES.mapleReport).map((m) => m.subject)).toEqual([expect.stringMatching(new RegExp(`^${NAMES.maple}: weekly report, `))]);
    expect(to(ADDRESSES.birchReport).map((m) => m.subject)).toEqual([expect.stringMatching(new RegExp(`^${NAMES.birch}: weekly report, `))]);
    expect(to(ADDRESSES.mapleAlerts).map((m) => m.subject)).toEqual([`${NAMES.maple}: no chatbot sessions for 1 h (usually 40)`]);
    const cronJobs = await jobsOf(world.world.platform.pool, CRON_QUEUE);
    expect(cronJobs.map((j) => DateTime.fromJSDate(j.created_on).setZone(TZ).toFormat('HH:mm'))).toEqual([first, second].map((o) => o.toFormat('HH:mm')));
    expect(to(ADDRESSES.cron).map((m) => m.subject).sort()).toEqual(cronJobs.map((j) => `cron ${j.id}`).sort());
    expect(smtp.messages).toHaveLength(5);

    // The records agree: each report recorded once for the previous local week, maple's claimed twice (the kill).
    const lastWeek = first.startOf('week').minus({ weeks: 1 }).toJSDate();
    expect(await runs()).toEqual([
      { id: expect.any(Number), client: 'birch', sent: true, attempts: 1, periodStart: lastWeek },
      { id: maple.id, client: 'maple', sent: true, attempts: 2, periodStart: lastWeek },
    ]);
    expect(await query(`SELECT recipient, d.status, o.status AS outbox FROM notify.report_deliveries d JOIN notify.outbox o ON o.id = d.outbox_id ORDER BY recipient`))
      .toEqual([{ recipient: ADDRESSES.birchReport, status: 'sent', outbox: 'sent' }, { recipient: ADDRESSES.mapleReport, status: 'sent', outbox: 'sent' }]);
    expect(await query(`SELECT channel_id::text AS channel, status, attempt, code FROM notify.delivery_attempts`))
      .toEqual([{ channel: world.channelId, status: 'sent', attempt: 1, code: 250 }]);
    expect(await query(`SELECT rule, state, notified_count AS count FROM notify.alerts WHERE client_id = 'maple' AND notified_count > 0`))
      .toEqual([{ rule: 'no-data', state: 'firing', count: 1 }]);
    expect(await query(`SELECT status, count(*)::int AS n FROM notify.outbox GROUP BY status`)).toEqual([{ status: 'sent', n: 5 }]);

    // The jobs: every job started once, in one process — but maple's send, started again (its retry) elsewhere.
    const starts = workers.flatMap((w) => w.starts.filter((s) => QUEUES.includes(s.queue)).map((s) => ({ ...s, pid: w.pid })));
    const twice = [...new Set(starts.map((s) => s.jobId))].filter((id) => starts.filter((s) => s.jobId === id).length > 1);
    expect(twice).toEqual([mapleSend]);
    const mapleStarts = starts.filter((s) => s.jobId === mapleSend).sort((a, b) => a.retryCount - b.retryCount);
    expect(mapleStarts.map((s) => [s.retryCount, s.pid === holder.pid])).toEqual([[0, true], [1, false]]);
    for (const queue of ['reports-due', 'alerts-evaluate']) {
      const minutes = (await jobsOf(world.world.platform.pool, queue)).map((j) => DateTime.fromJSDate(j.created_on).toFormat('HH:mm'));
      expect(new Set(minutes).size).toBe(minutes.length); // one job per minute, whichever process made it
    }
    console.log(`notify once: jobs started per process ${workers.map((w) => `${w.pid}: ${w.starts.filter((s) => QUEUES.includes(s.queue)).length}`).join(', ')}`);
  });
});
