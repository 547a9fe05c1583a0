import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { reportDepsOf } from '../../../src/http/reportContext.ts';
import { recordDueReports } from '../../../src/notify/reports/dueReports.ts';
import type { ReportDeps } from '../../../src/notify/reports/reportDeps.ts';
import { sendRun } from '../../../src/notify/reports/sendReport.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../../helpers/buildTestApp.ts';
import { freePort } from '../../helpers/freePort.ts';
import { capturedLogger } from '../../helpers/logCapture.ts';
import { addPerson } from '../../helpers/people.ts';
import { DEAD_DB_PASSWORD } from '../../helpers/secrets.ts';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtpServer.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';

/**
 * The weekly report end to end: known sessions in a real client database (Europe/London, the week of the March
 * change), a real SMTP server receiving it, its figures, branding and inline PNG charts checked; and the operator
 * digest listing every client, the unreachable one first, each person seeing only their clients.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let mapleDb: TestDatabase;
let quietDb: TestDatabase;
let smtp: TestSmtp;
let app: App;
let clock = new Date('2024-03-27T12:00:00Z');
let deps: ReportDeps;

const SESSIONS: [string, string, ...(string | null)[]][] = [
  // the week Mon 25 Mar 00:00 GMT – Mon 1 Apr 00:00 BST = [2024-03-25T00:00Z, 2024-03-31T23:00Z)
  ['c1', '2024-03-25T00:00:00Z', '2024-03-25T00:01:00Z', '2024-03-25T00:02:00Z', '2024-03-25T00:03:00Z'],
  ['c2', '2024-03-26T10:00:00Z', '2024-03-26T10:01:00Z', '2024-03-26T10:02:00Z', null], // never answered
  ['c3', '2024-03-31T22:59:59Z', '2024-03-31T22:59:59.5Z', null, null], // Sun 31 Mar 23:59:59 BST
  ['c4', '2024-03-28T12:00:00Z', null, null, null],
  ['next', '2024-03-31T23:00:00Z', '2024-03-31T23:01:00Z', null, null], // Mon 1 Apr 00:00 BST: next week
  // the week before
  ['p1', '2024-03-20T09:00:00Z', '2024-03-20T09:01:00Z', '2024-03-20T09:02:00Z', '2024-03-20T09:03:00Z'],
  ['p2', '2024-03-24T23:59:59Z', null, null, null],
];

async function loadMaple(db: TestDatabase) {
  await db.pool.query(`CREATE TABLE "UserEvents" ("sessionId" TEXT PRIMARY KEY, "pageLoaded" TIMESTAMPTZ, "widgetOpened" TIMESTAMPTZ,
    "requestedHuman" TIMESTAMPTZ, "pressedAccept" TIMESTAMPTZ, "pressedCallback" TIMESTAMPTZ, "pressedContinue" TIMESTAMPTZ,
    "createdAt" TIMESTAMPTZ NOT NULL, "updatedAt" TIMESTAMPTZ NOT NULL)`);
  for (const [id, page, widget, human, accept] of SESSIONS) {
    await db.pool.query(`INSERT INTO "UserEvents" VALUES ($1, $2, $3, $4, $5, NULL, NULL, $2, $2)`, [id, page, widget ?? null, human ?? null, accept ?? null]);
  }
  await db.pool.query(`CREATE TABLE "Leads" ("id" TEXT PRIMARY KEY, "sessionId" TEXT, "createdAt" TIMESTAMPTZ NOT NULL, "email" TEXT, "phone" TEXT)`);
  await db.pool.query(`INSERT INTO "Leads" VALUES ('L1', 'c2', '2024-03-26T10:05:00Z', 'lead@example.com', NULL)`);
}

/** A PNG's signature and its IHDR size. */
function pngSize(content: Buffer): { width: number; height: number } {
  expect([...content.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(content.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: content.readUInt32BE(16), height: content.readUInt32BE(20) };
}

beforeAll(async () => {
  [mapleDb, quietDb, smtp] = await Promise.all([createTestDatabase('report_maple'), createTestDatabase('report_quiet'), startSmtpServer({ keepCidLinks: true })]);
  await loadMaple(mapleDb);
  await quietDb.pool.query(`CREATE TABLE "UserEvents" ("sessionId" TEXT PRIMARY KEY, "pageLoaded" TIMESTAMPTZ, "widgetOpened" TIMESTAMPTZ,
    "requestedHuman" TIMESTAMPTZ, "pressedAccept" TIMESTAMPTZ, "pressedCallback" TIMESTAMPTZ, "pressedContinue" TIMESTAMPTZ,
    "createdAt" TIMESTAMPTZ NOT NULL, "updatedAt" TIMESTAMPTZ NOT NULL)`);
  const maple = { ...testClient('maple', 'Europe/London', mapleDb.url), name: 'Maple Clinic', branding: { primaryColor: '#aa3366', logoUrl: null } };
  const dead = `postgres://postgres:${DEAD_DB_PASSWORD}@127.0.0.1:${await freePort()}/nowhere`;
  app = await buildTestApp([maple, testClient('quiet', 'Europe/London', quietDb.url), testClient('down', 'UTC', dead)], {
    admin: KEYS.admin, clients: { maple: KEYS.alpha }, notify: { smtpUrl: smtp.url },
  });
  deps = reportDepsOf(runtimeOf(app).context(() => clock), capturedLogger());
  await addPerson(app, { email: 'member@maple.example', role: 'member', clients: { maple: 'viewer' } });
  await addPerson(app, { email: 'someone@quiet.example', role: 'member', clients: { quiet: 'viewer' } });
  await addPerson(app, { email: 'admin@agency.example', role: 'admin' });
  await addPerson(app, { email: 'operator@agency.example', role: 'operator', clients: { maple: 'editor' } });
  await recordDueReports(deps); // Wednesday: the schedules start, nothing is due yet
}, 90_000);

afterAll(async () => {
  await app?.close();
  await smtp?.close();
  await mapleDb?.drop();
  await quietDb?.drop();
});

describe('the weekly report over real SMTP', () => {
  let mail: ParsedMail;
  let runId: number;

  it('is due at 09:00 BST on Monday 1 April and reaches the client member, once', async () => {
    clock = new Date('2024-04-01T08:00:00Z');
    const { recorded } = await recordDueReports(deps);
    const weekly = recorded.find((r) => r.clientId === 'maple' && r.kind === 'weekly')!;
    runId = weekly.id;
    expect([weekly.periodStart.toISOString(), weekly.periodEnd.toISOString()]).toEqual(['2024-03-25T00:00:00.000Z', '2024-03-31T23:00:00.000Z']);
    expect(await sendRun(deps, weekly.id)).toBe('sent');
    expect(await sendRun(deps, weekly.id)).toBe('already-sent');
    const mails = smtp.messages.filter((m) => m.subject?.includes('weekly report'));
    expect(mails.map((m) => m.subject?.includes('Maple Clinic') ? (m.to as { text: string }).text : null).filter(Boolean)).toEqual(['member@maple.example', 'operator@agency.example']);
    mail = mails.find((m) => (m.to as { text: string }).text === 'member@maple.example')!;
    expect(mail.subject).toBe('Maple Clinic: weekly report, Mon 25 Mar 2024 – Sun 31 Mar 2024');
  });

  it("holds the local week's figures and their change against the week before", () => {
    const lines = mail.text!.split('\n');
    expect(lines).toEqual(expect.arrayContaining([
      'Sessions: 4 (+2 (+100%))',
      'Widget open rate: 75% (+25.0 pp)',
      'Human request rate: 66.7% (−33.3 pp)',
      'Accept rate: 50% (−50.0 pp)',
      'Leads: 1 (+1 (new))',
      'Unanswered handoffs: 1 (+1 (new))',
    ]));
    expect(lines.filter((l) => /^ {2}2024-03-\d\d: \d+$/.test(l))).toEqual([
      '  2024-03-25: 1', '  2024-03-26: 1', '  2024-03-27: 0', '  2024-03-28: 1', '  2024-03-29: 0', '  2024-03-30: 0', '  2024-03-31: 1',
    ]);
    const html = mail.html as string;
    expect(html).toMatch(/data-figure="sessions"[^>]*>\s*<div[^>]*>Sessions<\/div>\s*<div[^>]*>4<\/div>/);
    expect(html).toMatch(/data-figure="widgetOpenRate"[\s\S]*?>75%<\/div>/);
  });

  it("is in the client's branding: its name and colour", () => {
    const html = mail.html as string;
    expect(html).toContain('Maple Clinic');
    expect(html).toContain('background:#aa3366');
    expect(html).toContain('Europe/London');
  });

  it('carries the charts as inline PNG parts that the HTML refers to by content id', () => {
    const images = mail.attachments.filter((a) => a.contentType === 'image/png');
    expect(images.map((a) => a.cid).sort()).toEqual(['daily-sessions@report', 'funnel@report']);
    for (const image of images) {
      expect(mail.html as string).toContain(`src="cid:${image.cid}"`);
      expect(image.contentDisposition).toBe('inline');
    }
    expect(pngSize(images.find((a) => a.cid === 'daily-sessions@report')!.content)).toEqual({ width: 1120, height: 480 });
    expect(pngSize(images.find((a) => a.cid === 'funnel@report')!.content).width).toBe(1120);
  });

  it('is recorded as sent, with each recipient and the outbox entry', async () => {
    const { rows } = await runtimeOf(app).platform.pool.query(
      `SELECT r.sent_at IS NOT NULL AS sent, r.attempts, array_agg(d.recipient ORDER BY d.recipient) AS recipients
         FROM notify.report_runs r JOIN notify.report_deliveries d ON d.run_id = r.id WHERE r.id = $1 GROUP BY r.id`, [runId],
    );
    expect(rows).toEqual([{ sent: true, attempts: 1, recipients: ['member@maple.example', 'operator@agency.example'] }]);
  });
});

describe('the operator digest', () => {
  it('lists every client to an admin, the unreachable and silent ones first; an operator sees only their clients', async () => {
    clock = new Date('2024-04-01T09:00:00Z'); // Monday 09:00 UTC, the digest's default zone
    const { recorded } = await recordDueReports(deps);
    const digest = recorded.find((r) => r.kind === 'digest')!;
    expect(await sendRun(deps, digest.id)).toBe('sent');
    const digests = smtp.messages.filter((m) => m.subject?.startsWith('Portfolio digest'));
    const to = (m: ParsedMail) => (m.to as { text: string }).text;
    expect(digests.map(to).sort()).toEqual(['admin@agency.example', 'operator@agency.example']);
    const forAdmin = digests.find((m) => to(m) === 'admin@agency.example')!;
    expect(forAdmin.subject).toBe('Portfolio digest, Mon 25 Mar 2024 – Sun 31 Mar 2024: 3 clients, 2 flagged');
    const order = [...(forAdmin.html as string).matchAll(/data-client="([a-z-]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(['down', 'quiet', 'maple']);
    expect(forAdmin.text).toContain('Maple Clinic (maple): Sessions 4 (+2 (+100%))');
    expect(forAdmin.text).toContain('Client down (down) [database unreachable]');
    const forOperator = digests.find((m) => to(m) === 'operator@agency.example')!;
    expect([...(forOperator.html as string).matchAll(/data-client="([a-z-]+)"/g)].map((m) => m[1])).toEqual(['maple']);
  });
});

describe('settings and preview over the API', () => {
  const admin = bearer(KEYS.admin);
  it('shows the defaults, changes recipients and cron with an audit entry, and names a bad field', async () => {
    const before = await app.inject({ method: 'GET', url: '/api/clients/maple/reports', headers: admin });
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toMatchObject({ clientId: 'maple', timezone: 'Europe/London', weekly: { enabled: true, cron: '0 9 * * 1', recipients: null }, monthly: { cron: '0 9 1 * *' } });
    const bad = await app.inject({ method: 'PATCH', url: '/api/clients/maple/reports', headers: admin, payload: { weekly: { cron: '0 9 * *' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^weekly\.cron: /);
    const badAddress = await app.inject({ method: 'PATCH', url: '/api/clients/maple/reports', headers: admin, payload: { monthly: { recipients: ['not-an-address'] } } });
    expect(badAddress.json().error.message).toMatch(/^monthly\.recipients: /);
    const changed = await app.inject({ method: 'PATCH', url: '/api/clients/maple/reports', headers: admin, payload: { weekly: { cron: '30 8 * * 2', recipients: ['boss@maple.example'] } } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().weekly).toMatchObject({ cron: '30 8 * * 2', recipients: ['boss@maple.example'], enabled: true });
    const { rows } = await runtimeOf(app).platform.pool.query(`SELECT target, details FROM access.audit WHERE action = 'report-settings-changed'`);
    expect(rows).toEqual([{ target: 'maple', details: { fields: 'weekly.cron,weekly.recipients' } }]);
  });

  it("answers 404 for a client the caller cannot see and 403 for a client's own key", async () => {
    expect((await app.inject({ method: 'GET', url: '/api/clients/nope/reports', headers: admin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/clients/quiet/reports', headers: bearer(KEYS.alpha) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/clients/maple/reports', headers: bearer(KEYS.alpha) })).statusCode).toBe(403);
  });

  it('previews the weekly report as HTML with the charts as data, to whoever sees the client', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/clients/maple/reports/preview?kind=weekly', headers: bearer(KEYS.alpha) });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.body).toContain('Maple Clinic');
    expect(res.body.match(/src="data:image\/png;base64,/g)).toHaveLength(2);
    expect((await app.inject({ method: 'GET', url: '/api/clients/maple/reports/preview?kind=yearly', headers: admin })).statusCode).toBe(400);
  });
});
