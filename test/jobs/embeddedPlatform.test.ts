import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_MAX_CONNECTIONS } from '../../src/db/embedded/startEmbeddedPostgres.ts';
import { startRuntime, type Runtime } from '../../src/main/runtime.ts';
import { testConfig } from '../helpers/buildTestApp.ts';
import { capturedLogger } from '../helpers/logCapture.ts';
import { eventually, startSmtpServer, type TestSmtp } from '../helpers/smtpServer.ts';
import { jobsOf } from './support/workers.ts';
import { EMAIL_QUEUE, TEST_JOB_OPTIONS, type EmailJob } from './support/testQueues.ts';

/**
 * The default platform database — the embedded PGlite behind pglite-socket, which refuses connections over its limit
 * and runs one transaction at a time — carries the jobs too: pg-boss shares the platform's pool.
 */
let runtime: Runtime;
let smtp: TestSmtp;
let failuresLeft = 1;

beforeAll(async () => {
  smtp = await startSmtpServer();
  runtime = await startRuntime(testConfig([], { notify: { smtpUrl: smtp.url } }), capturedLogger());
  expect(runtime.platform.embedded).toBe(true);
  await runtime.jobs.define(EMAIL_QUEUE, TEST_JOB_OPTIONS);
  await runtime.jobs.work<EmailJob>(EMAIL_QUEUE, async ({ to, subject }) => {
    if (subject === 'flaky' && failuresLeft-- > 0) throw new Error('the first attempt fails');
    const delivery = await runtime.mailer.send({ to, subject, text: subject });
    if (delivery.status !== 'sent') throw new Error(`not sent: ${delivery.error}`);
  });
}, 120_000);
afterAll(async () => {
  await runtime?.close();
  await smtp?.close();
});

describe('jobs on the embedded platform database', () => {
  it('sends, dedupes by key and retries a failed job, within the embedded connection limit', { timeout: 60_000 }, async () => {
    const sentAt = Date.now();
    await runtime.jobs.send<EmailJob>(EMAIL_QUEUE, { to: 'ops@example.test', subject: 'first' });
    await smtp.waitForMessages(1, 30_000);
    console.log(`jobs (embedded): send to handled in ${Date.now() - sentAt} ms at a 500 ms poll`);

    expect(await runtime.jobs.send<EmailJob>(EMAIL_QUEUE, { to: 'ops@example.test', subject: 'flaky' }, { singletonKey: 'flaky' })).not.toBeNull();
    expect(await runtime.jobs.send<EmailJob>(EMAIL_QUEUE, { to: 'ops@example.test', subject: 'flaky' }, { singletonKey: 'flaky' })).toBeNull();
    for (let i = 0; i < 5; i++) await runtime.jobs.send<EmailJob>(EMAIL_QUEUE, { to: 'ops@example.test', subject: `more ${i}` });

    const pool = runtime.platform.pool;
    const rows = await eventually(() => jobsOf(pool, EMAIL_QUEUE), (r) => r.length === 7 && r.every((j) => j.state === 'completed'), 45_000);
    expect(rows.map((r) => r.retry_count).sort()).toEqual([0, 0, 0, 0, 0, 0, 1]); // the flaky one, once more
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual(['first', 'flaky', 'more 0', 'more 1', 'more 2', 'more 3', 'more 4']);
    // One pool for the platform and its jobs, never more connections than the embedded server takes.
    expect(pool.options.max).toBeLessThanOrEqual(EMBEDDED_MAX_CONNECTIONS);
    expect(pool.totalCount).toBeLessThanOrEqual(pool.options.max!);
  });

  it('takes a five-field cron schedule in a time zone, and refuses other shapes', async () => {
    await runtime.jobs.every(EMAIL_QUEUE, '0 9 * * 1', { to: 'ops@example.test', subject: 'weekly' }, { tz: 'Australia/Sydney', key: 'maple-weekly' });
    const { rows } = await runtime.platform.pool.query(`SELECT name, key, cron, timezone FROM pgboss.schedule WHERE name = $1`, [EMAIL_QUEUE]);
    expect(rows).toEqual([{ name: EMAIL_QUEUE, key: 'maple-weekly', cron: '0 9 * * 1', timezone: 'Australia/Sydney' }]);
    await expect(runtime.jobs.every(EMAIL_QUEUE, '*/5 * * * * *', {}, {})).rejects.toThrow(/five-field/);
  });
});
