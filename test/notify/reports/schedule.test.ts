import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientRegistry } from '../../../src/tenants/clientRegistry.ts';
import { recordDueReports } from '../../../src/notify/reports/dueReports.ts';
import type { ReportDeps } from '../../../src/notify/reports/reportDeps.ts';
import { cronProblem, latestOccurrence, periodBefore } from '../../../src/notify/reports/schedule.ts';
import { capturedLogger } from '../../helpers/logCapture.ts';
import { testClient } from '../../helpers/buildTestApp.ts';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';

/**
 * When reports are due and what they cover, with a test clock (never waiting): Monday 09:00 in each client's time
 * zone across the DST changes, the previous 7 local days or the previous local month, recorded once however many
 * replicas tick, and nothing for periods before the schedule existed.
 */
const iso = (d: Date) => d.toISOString();

describe('schedule arithmetic', () => {
  it('puts a Sydney weekly report at 09:00 AEDT on the Monday after the October change, covering 7 local days of 167 hours', () => {
    const due = latestOccurrence('0 9 * * 1', 'Australia/Sydney', new Date('2024-10-06T22:00:00Z'));
    expect(iso(due)).toBe('2024-10-06T22:00:00.000Z'); // Mon 7 Oct 09:00 +11:00
    expect(iso(latestOccurrence('0 9 * * 1', 'Australia/Sydney', new Date('2024-10-06T21:59:59.999Z')))).toBe('2024-09-29T23:00:00.000Z'); // Mon 30 Sep 09:00 +10:00
    const period = periodBefore('weekly', due, 'Australia/Sydney');
    expect([iso(period.from.toJSDate()), iso(period.to.toJSDate())]).toEqual(['2024-09-29T14:00:00.000Z', '2024-10-06T13:00:00.000Z']);
    expect(period.to.diff(period.from, 'hours').hours).toBe(167);
  });

  it('puts a London weekly report at 09:00 BST on the Monday after the March change, covering 7 local days of 167 hours', () => {
    const due = latestOccurrence('0 9 * * 1', 'Europe/London', new Date('2024-04-01T12:00:00Z'));
    expect(iso(due)).toBe('2024-04-01T08:00:00.000Z'); // Mon 1 Apr 09:00 +01:00
    const period = periodBefore('weekly', due, 'Europe/London');
    expect([iso(period.from.toJSDate()), iso(period.to.toJSDate())]).toEqual(['2024-03-25T00:00:00.000Z', '2024-03-31T23:00:00.000Z']);
    expect(period.to.diff(period.from, 'hours').hours).toBe(167);
    // The Monday before the change is still GMT: 09:00 local is 09:00 UTC.
    expect(iso(latestOccurrence('0 9 * * 1', 'Europe/London', new Date('2024-04-01T07:59:00Z')))).toBe('2024-03-25T09:00:00.000Z');
  });

  it('covers the previous local month on the 1st', () => {
    const due = latestOccurrence('0 9 1 * *', 'Australia/Sydney', new Date('2024-11-01T00:00:00Z'));
    expect(iso(due)).toBe('2024-10-31T22:00:00.000Z');
    const period = periodBefore('monthly', due, 'Australia/Sydney');
    expect([iso(period.from.toJSDate()), iso(period.to.toJSDate())]).toEqual(['2024-09-30T14:00:00.000Z', '2024-10-31T13:00:00.000Z']);
  });

  it('refuses a cron that is not five fields or does not parse', () => {
    expect(cronProblem('0 9 * * 1')).toBeNull();
    expect(cronProblem('0 0 9 * * 1')).toMatch(/five fields/);
    expect(cronProblem('0 25 * * 1')).toMatch(/not a valid cron/);
  });
});

describe('due reports on the platform database', () => {
  let platformDb: TestDatabase;
  let registry: ClientRegistry;
  let clock: Date;
  const log = capturedLogger();
  const deps = (): ReportDeps => ({
    platform: platformDb.pool, clients: registry, answers: null as never, mailer: null as never, now: () => clock, log, publicUrl: null,
  });
  const runs = async () => (await platformDb.pool.query(
    `SELECT client_id AS "clientId", kind, period_start AS "from", period_end AS "to", due_at AS "dueAt" FROM notify.report_runs WHERE kind = 'weekly' ORDER BY id`,
  )).rows.map((r) => ({ ...r, from: iso(r.from), to: iso(r.to), dueAt: iso(r.dueAt) }));

  beforeAll(async () => {
    platformDb = await createTestDatabase('reports_due');
    await asPlatformDatabase(platformDb);
    registry = new ClientRegistry();
  }, 60_000);
  afterAll(async () => platformDb?.drop());
  beforeEach(async () => {
    await platformDb.pool.query('TRUNCATE notify.report_runs CASCADE; TRUNCATE notify.report_schedules');
  });

  it('records nothing on first start for periods before the schedule, then the Sydney report at 09:00 local on the right Monday', async () => {
    registry.replace('file', [testClient('sydney', 'Australia/Sydney', null)]);
    clock = new Date('2024-10-02T03:00:00Z'); // Wednesday: last Monday's report is history, not a backlog
    expect((await recordDueReports(deps())).recorded).toEqual([]);
    clock = new Date('2024-10-06T21:59:00Z'); // Mon 7 Oct 08:59 AEDT
    expect((await recordDueReports(deps())).recorded).toEqual([]);
    clock = new Date('2024-10-06T22:00:00Z'); // 09:00 AEDT
    expect((await recordDueReports(deps())).recorded.map((r) => r.kind)).toEqual(['weekly']);
    log.info('the Sydney weekly report was recorded once');
    clock = new Date('2024-10-06T22:05:00Z');
    expect((await recordDueReports(deps())).recorded).toEqual([]);
    expect(await runs()).toEqual([
      { clientId: 'sydney', kind: 'weekly', from: '2024-09-29T14:00:00.000Z', to: '2024-10-06T13:00:00.000Z', dueAt: '2024-10-06T22:00:00.000Z' },
    ]);
    clock = new Date('2024-10-31T22:00:00Z'); // Fri 1 Nov 09:00 AEDT: the October report
    // (the weekly and digest of the latest Monday are recorded too: only the latest occurrence of each is ever due)
    expect((await recordDueReports(deps())).recorded.filter((r) => r.kind === 'monthly').map((r) => [r.kind, iso(r.periodStart), iso(r.periodEnd)]))
      .toEqual([['monthly', '2024-09-30T14:00:00.000Z', '2024-10-31T13:00:00.000Z']]);
  });

  it('records the London report at 09:00 BST on the Monday after the March change', async () => {
    registry.replace('file', [testClient('london', 'Europe/London', null)]);
    clock = new Date('2024-03-27T12:00:00Z');
    await recordDueReports(deps());
    clock = new Date('2024-04-01T07:59:59Z'); // 08:59:59 BST: not yet, though 09:00 GMT would be
    expect((await recordDueReports(deps())).recorded).toEqual([]);
    clock = new Date('2024-04-01T08:00:00Z');
    await recordDueReports(deps());
    expect(await runs()).toEqual([
      { clientId: 'london', kind: 'weekly', from: '2024-03-25T00:00:00.000Z', to: '2024-03-31T23:00:00.000Z', dueAt: '2024-04-01T08:00:00.000Z' },
    ]);
  });

  it('records a due report once when two replicas tick at the same moment', async () => {
    registry.replace('file', [testClient('sydney', 'Australia/Sydney', null), testClient('london', 'Europe/London', null)]);
    clock = new Date('2024-03-27T12:00:00Z');
    await Promise.all([recordDueReports(deps()), recordDueReports(deps())]);
    clock = new Date('2024-04-01T08:00:00Z'); // London's Monday 09:00; Sydney's was earlier the same day (after its schedule)
    const ticks = await Promise.all([recordDueReports(deps()), recordDueReports(deps()), recordDueReports(deps())]);
    const recorded = ticks.flatMap((t) => t.recorded).filter((r) => r.kind === 'weekly');
    expect(recorded.map((r) => r.clientId).sort()).toEqual(['london', 'sydney']);
    expect((await runs()).length).toBe(2);
  });

  it('does not record a disabled schedule', async () => {
    registry.replace('file', [testClient('london', 'Europe/London', null)]);
    clock = new Date('2024-03-27T12:00:00Z');
    await recordDueReports(deps());
    await platformDb.pool.query(`UPDATE notify.report_schedules SET enabled = false WHERE client_id = 'london' AND kind = 'weekly'`);
    clock = new Date('2024-04-01T08:00:00Z');
    expect((await recordDueReports(deps())).recorded.map((r) => r.kind)).toEqual(['monthly']); // 1 April: March's report still goes
  });
});
