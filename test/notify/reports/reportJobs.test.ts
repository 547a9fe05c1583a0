import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Jobs } from '../../../src/jobs/jobs.ts';
import { startJobs } from '../../../src/jobs/pgBossJobs.ts';
import { queueDueReports, registerReportJobs, REPORT_SEND_QUEUE } from '../../../src/notify/reports/reportJobs.ts';
import { reportDepsFor, type ReportDeps } from '../../../src/notify/reports/reportDeps.ts';
import { buildTestApp, runtimeOf, testClient } from '../../helpers/buildTestApp.ts';
import { capturedLogger } from '../../helpers/logCapture.ts';
import { addPerson } from '../../helpers/people.ts';
import { eventually, startSmtpServer, type TestSmtp } from '../../helpers/smtpServer.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';
import { jobsOf } from '../../jobs/support/workers.ts';

/**
 * The reports on the real job queue (pg-boss on the platform database): two replicas tick at the same moment, one
 * send is queued per report, and each report reaches its recipient once over real SMTP.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let clientDb: TestDatabase;
let smtp: TestSmtp;
let app: App;
let replicas: Jobs[] = [];
let clock = new Date('2024-03-27T12:00:00Z');
let deps: ReportDeps;

beforeAll(async () => {
  [clientDb, smtp] = await Promise.all([createTestDatabase('report_jobs'), startSmtpServer()]);
  await clientDb.pool.query(`CREATE TABLE "UserEvents" ("sessionId" TEXT PRIMARY KEY, "pageLoaded" TIMESTAMPTZ, "widgetOpened" TIMESTAMPTZ,
    "requestedHuman" TIMESTAMPTZ, "pressedAccept" TIMESTAMPTZ, "pressedCallback" TIMESTAMPTZ, "pressedContinue" TIMESTAMPTZ,
    "createdAt" TIMESTAMPTZ NOT NULL, "updatedAt" TIMESTAMPTZ NOT NULL)`);
  await clientDb.pool.query(`INSERT INTO "UserEvents" ("sessionId", "pageLoaded", "createdAt", "updatedAt") VALUES
    ('a', '2024-03-26T10:00:00Z', '2024-03-26T10:00:00Z', '2024-03-26T10:00:00Z'), ('b', '2024-03-27T10:00:00Z', '2024-03-27T10:00:00Z', '2024-03-27T10:00:00Z')`);
  // The app is an API replica (JOBS_WORK=0): it defines the report queues but takes no job and runs no cron, so the
  // two replicas below, on the test's clock and public URL, are the only ones that tick and send.
  app = await buildTestApp([testClient('london', 'Europe/London', clientDb.url)], { notify: { smtpUrl: smtp.url }, jobs: { work: false } });
  await addPerson(app, { email: 'member@london.example', role: 'member', clients: { london: 'viewer' } });
  const runtime = runtimeOf(app);
  const log = capturedLogger();
  deps = reportDepsFor({
    platform: runtime.platform.pool, clients: runtime.registry, databases: runtime.databases, cache: null, rollups: null,
    mailer: runtime.mailer, log, publicUrl: 'https://analytics.example.com', now: () => clock,
  });
  for (let i = 0; i < 2; i++) {
    const jobs = await startJobs(runtime.platform.pool, { work: true, pollMs: 500, superviseSeconds: 1, graceMs: 2000 }, log);
    replicas.push(jobs);
    await registerReportJobs(jobs, deps);
  }
}, 90_000);

afterAll(async () => {
  for (const jobs of replicas) await jobs.stop();
  replicas = [];
  await app?.close();
  await smtp?.close();
  await clientDb?.drop();
});

describe('reports on the job queue', () => {
  it('queues one send per report when two replicas tick at once, and each report arrives once', async () => {
    expect(await Promise.all(replicas.map((jobs) => queueDueReports(jobs, deps)))).toEqual([0, 0]); // schedules start: no backlog
    clock = new Date('2024-04-01T08:00:00Z'); // Monday 1 April 09:00 BST: the week's and March's reports
    const queued = await Promise.all(replicas.map((jobs) => queueDueReports(jobs, deps)));
    expect(queued.reduce((a, b) => a + b, 0)).toBe(2);
    const pool = runtimeOf(app).platform.pool;
    await eventually(() => pool.query(`SELECT count(*)::int AS n FROM notify.report_runs WHERE sent_at IS NOT NULL`), (r) => r.rows[0].n === 2, 60_000);
    await eventually(() => jobsOf(pool, REPORT_SEND_QUEUE), (rows) => rows.length === 2 && rows.every((row) => row.state === 'completed'), 60_000);
    const subjects = smtp.messages.map((m) => m.subject).sort();
    expect(subjects).toEqual([
      'Client london: monthly report, Fri 1 Mar 2024 – Sun 31 Mar 2024',
      'Client london: weekly report, Mon 25 Mar 2024 – Sun 31 Mar 2024',
    ]);
    expect(smtp.messages[0]!.text).toContain('Dashboard: https://analytics.example.com/london/dashboard');
    // A later tick at the same minute, or the next one, finds everything recorded: nothing more is queued.
    clock = new Date('2024-04-01T08:01:00Z');
    expect(await Promise.all(replicas.map((jobs) => queueDueReports(jobs, deps)))).toEqual([0, 0]);
  });
});
