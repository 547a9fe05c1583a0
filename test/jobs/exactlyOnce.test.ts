import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Jobs } from '../../src/jobs/jobs.ts';
import { eventually, startSmtpServer, type TestSmtp } from '../helpers/smtpServer.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { EMAIL_QUEUE, TEST_JOB_OPTIONS, type EmailJob } from './support/testQueues.ts';
import { jobsOf, senderOn, startWorkerProcess, workerEnv, type WorkerProcess } from './support/workers.ts';

/**
 * Two real platform worker processes on one platform database (a fresh one on the local PostgreSQL), sending email
 * through a real SMTP server: each job's email arrives once, also when the process sending it is killed mid-send.
 */
let db: TestDatabase;
let sender: Jobs;
let smtp: TestSmtp;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase('jobs_once');
  sender = await senderOn(db.pool);
  await sender.define(EMAIL_QUEUE, TEST_JOB_OPTIONS);
});
afterEach(async () => {
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
  workers = [];
  await smtp?.close();
});
afterAll(async () => {
  await sender?.stop();
  await db?.drop();
});

const startTwo = (env: Record<string, string>) => Promise.all([startWorkerProcess(env), startWorkerProcess(env)]);
const allDone = (queue: string) => eventually(() => jobsOf(db.pool, queue), (rows) => rows.length > 0 && rows.every((row) => row.state === 'completed'), 60_000);

describe('jobs across two platform processes', () => {
  it('sends each due email exactly once, whichever process takes it', { timeout: 120_000 }, async () => {
    smtp = await startSmtpServer();
    workers = await startTwo(workerEnv(db.url, smtp.url));
    const subjects = Array.from({ length: 12 }, (_, i) => `once ${i}`);
    const sentAt = Date.now();
    for (const subject of subjects) expect(await sender.send<EmailJob>(EMAIL_QUEUE, { to: 'ops@example.test', subject })).not.toBeNull();
    // A keyed job already waiting is not queued twice, whoever asks.
    expect(await sender.send<EmailJob>(EMAIL_QUEUE, { to: 'ops@example.test', subject: 'keyed' }, { singletonKey: 'report:maple:2024-W14' })).not.toBeNull();
    expect(await sender.send<EmailJob>(EMAIL_QUEUE, { to: 'ops@example.test', subject: 'keyed' }, { singletonKey: 'report:maple:2024-W14' })).toBeNull();

    await smtp.waitForMessages(1, 30_000);
    console.log(`jobs: first of 13 emails handled ${Date.now() - sentAt} ms after the sends (poll 500 ms, two workers)`);
    const rows = await allDone(EMAIL_QUEUE);
    expect(rows).toHaveLength(13);
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual([...subjects, 'keyed'].sort());
    const starts = workers.flatMap((w) => w.starts).filter((s) => s.queue === EMAIL_QUEUE);
    expect(starts).toHaveLength(13); // no job was started twice, by either process
    expect(new Set(starts.map((s) => s.jobId)).size).toBe(13);
    expect(starts.every((s) => s.retryCount === 0)).toBe(true);
  });

  it('sends the email once when the process sending it is killed mid-send: another retries it after it expires', { timeout: 120_000 }, async () => {
    smtp = await startSmtpServer({ holdFirst: 1 });
    workers = await startTwo(workerEnv(db.url, smtp.url));
    const id = await sender.send<EmailJob>(EMAIL_QUEUE, { to: 'ops@example.test', subject: 'weekly report' });

    await eventually(async () => smtp.held, (held) => held === 1, 30_000); // the DATA phase is open, unanswered
    const sending = workers.find((w) => w.starts.some((s) => s.jobId === id))!;
    expect(sending).toBeDefined();
    sending.kill('SIGKILL');
    await sending.exited;

    await smtp.waitForMessages(1, 60_000);
    const [row] = await eventually(() => jobsOf(db.pool, EMAIL_QUEUE).then((rows) => rows.filter((r) => r.id === id)), (rows) => rows[0]?.state === 'completed', 60_000);
    expect(row!.retry_count).toBe(1);
    expect(smtp.messages.map((m) => m.subject)).toEqual(['weekly report']);
    // The killed sender's connection may end with a reset (or a plain close): nothing else went wrong on the wire.
    expect(smtp.connectionErrors.filter((code) => code !== 'ECONNRESET')).toEqual([]);
    const survivor = workers.find((w) => w !== sending)!;
    expect(survivor.starts.filter((s) => s.jobId === id).map((s) => s.retryCount)).toEqual([1]);
    const { rows: outbox } = await db.pool.query(`SELECT status FROM notify.outbox WHERE subject = 'weekly report'`);
    expect(outbox).toEqual([{ status: 'sent' }]);
  });
});
