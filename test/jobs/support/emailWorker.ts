/**
 * A platform worker process (`npm run worker`: the real runtime and jobs, no HTTP) with one job type of the tests'
 * own: `test.email`, which sends one email with the platform's Mailer over SMTP_URL and fails (so it is retried) when
 * the message did not go out. With TEST_CRON set it also schedules `test.cron` (in TEST_CRON_TZ), whose every job
 * sends one email too. Started as a child process by test/jobs/*.test.ts.
 */
import { loadConfig } from '../../../src/config/loadConfig.ts';
import { startWorker } from '../../../src/main/worker.ts';
import { CRON_QUEUE, EMAIL_QUEUE, TEST_JOB_OPTIONS, type EmailJob } from './testQueues.ts';

const runtime = await startWorker(loadConfig());
const { jobs, mailer } = runtime;
const send = async ({ to, subject }: EmailJob) => {
  const delivery = await mailer.send({ to, subject, text: `${subject}\n` });
  if (delivery.status !== 'sent') throw new Error(`not sent: ${delivery.error}`);
};
await jobs.define(EMAIL_QUEUE, TEST_JOB_OPTIONS);
await jobs.work<EmailJob>(EMAIL_QUEUE, send);
if (process.env.TEST_CRON) {
  await jobs.define(CRON_QUEUE, TEST_JOB_OPTIONS);
  await jobs.work(CRON_QUEUE, (_data, job) => send({ to: 'cron@example.test', subject: `cron ${job.id}` }));
  await jobs.every(CRON_QUEUE, process.env.TEST_CRON, {}, { tz: process.env.TEST_CRON_TZ, key: 'test' });
}
console.log(JSON.stringify({ msg: 'test worker ready', pid: process.pid }));
