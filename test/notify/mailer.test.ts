import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/loadConfig.ts';
import { DEFAULT_MAIL_FROM } from '../../src/config/notify.ts';
import { Mailer } from '../../src/notify/mailer.ts';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { capturedLogger } from '../helpers/logCapture.ts';
import { addPerson, asBrowser, signInPerson } from '../helpers/people.ts';
import { freePort } from '../helpers/freePort.ts';
import { eventually, SMTP_PASSWORD, startSmtpServer, type TestSmtp } from '../helpers/smtpServer.ts';

/**
 * The mailer against real SMTP servers (smtp-server on the loopback): it sends, it records every message in the
 * outbox, it keeps messages in the outbox only without SMTP or with demo data, an SMTP refusal is a recorded
 * failure (never a 500, never the URL), and the outbox never keeps a link that signs someone in.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
const outboxOf = async (app: App) => (await runtimeOf(app).platform.pool.query(
  `SELECT "to", subject, text, html, status, error, attempts, links_removed AS "linksRemoved", attachments FROM notify.outbox ORDER BY id`,
)).rows;
const inviteMember = (app: App, email: string) => app.inject({
  method: 'POST', url: '/api/invitations', payload: { email, role: 'member', clientIds: ['alpha'] }, headers: bearer(KEYS.admin),
});

describe('configuration', () => {
  it('reads SMTP_URL and MAIL_FROM, with a default sender and no SMTP by default', () => {
    expect(loadConfig({}).notify).toEqual({ smtpUrl: null, mailFrom: DEFAULT_MAIL_FROM });
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com:465', MAIL_FROM: 'Reports <reports@agency.example>' }).notify)
      .toEqual({ smtpUrl: 'smtps://u:p@mail.example.com:465', mailFrom: 'Reports <reports@agency.example>' });
  });

  it('refuses a URL that is not smtp:// or smtps:// without repeating it, and a bad sender', () => {
    const secret = 'https://user:hunter2-secret@mail.example.com';
    let error: unknown;
    try {
      loadConfig({ SMTP_URL: secret, MAIL_FROM: 'not an address' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['SMTP_URL', 'MAIL_FROM']);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('needs PUBLIC_URL with SMTP in production: links must not come from a Host header anyone can send', () => {
    const production = { NODE_ENV: 'production', ADMIN_API_KEY: 'k'.repeat(32), SESSION_SECRET: 's'.repeat(32), SMTP_URL: 'smtp://mail.example.com' };
    expect(() => loadConfig(production)).toThrow(/PUBLIC_URL: is required with SMTP_URL/);
    expect(loadConfig({ ...production, PUBLIC_URL: 'https://analytics.example.com' }).notify.smtpUrl).toBe('smtp://mail.example.com');
  });
});

describe('with SMTP (a server that asks for a password)', () => {
  let smtp: TestSmtp;
  let app: App;
  const logLines: string[] = [];
  beforeAll(async () => {
    smtp = await startSmtpServer({ auth: true });
    app = await buildTestApp([testClient('alpha', 'UTC', null)], { admin: KEYS.admin, notify: { smtpUrl: smtp.url }, logLines });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('sends over SMTP, and records the message as sent with its link removed', async () => {
    const res = await inviteMember(app, 'sent@alpha.example');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ emailed: true, delivery: { status: 'sent', error: null } });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.from?.text).toBe(`"Chatbot Analytics" <no-reply@localhost>`);
    expect(mail!.text).toContain(res.json().link);
    const [row] = await outboxOf(app);
    expect(row).toMatchObject({ to: 'sent@alpha.example', status: 'sent', error: null, attempts: 1, linksRemoved: true });
    expect(row.text).not.toContain(res.json().link);
    expect(row.html).not.toContain(res.json().link);
  });

  it('sends attachments (a later scheduled report) and keeps their names and sizes, not their content, in the outbox', async () => {
    const mailer = runtimeOf(app).mailer;
    const csv = 'date,sessions\n2024-04-01,12\n';
    const delivery = await mailer.send({ to: 'reports@alpha.example', subject: 'Weekly report', text: 'Attached.', html: '<p>Attached.</p>', attachments: [{ filename: 'week.csv', content: csv, contentType: 'text/csv' }] });
    expect(delivery).toMatchObject({ status: 'sent', error: null, attempts: 1, outboxId: expect.any(Number) });
    const mails = await smtp.waitForMessages(2);
    const report = mails.find((m) => m.subject === 'Weekly report')!;
    expect(report.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['week.csv', 'text/csv', csv]]);
    const row = (await outboxOf(app)).find((r) => r.subject === 'Weekly report')!;
    expect(row).toMatchObject({ text: 'Attached.', html: '<p>Attached.</p>', linksRemoved: false, attachments: [{ filename: 'week.csv', contentType: 'text/csv', size: csv.length }] });
  });

  it('never logs the SMTP URL, its password, a recipient or a body', () => {
    const all = logLines.join('\n');
    expect(logLines.some((line) => line.includes('email sent'))).toBe(true);
    for (const secret of [SMTP_PASSWORD, smtp.url, 'sent@alpha.example', 'reports@alpha.example', 'Attached.']) expect(all).not.toContain(secret);
  });
});

describe('with an SMTP server that refuses', () => {
  let refusing: TestSmtp;
  let busy: TestSmtp;
  const logLines: string[] = [];
  let app: App;
  beforeAll(async () => {
    refusing = await startSmtpServer({ refuseRecipients: 550 });
    busy = await startSmtpServer({ refuseRecipients: 451 });
    app = await buildTestApp([testClient('alpha', 'UTC', null)], { admin: KEYS.admin, notify: { smtpUrl: refusing.url }, logLines });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await refusing?.close();
    await busy?.close();
  });

  it('records the failure (status failed, a code, never the URL) and answers the invitation 201 with the link, no 500', async () => {
    const res = await inviteMember(app, 'refused@alpha.example');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ emailed: false, delivery: { status: 'failed', error: 'EENVELOPE 550' }, link: expect.stringContaining('/invitations/') });
    expect(refusing.refused).toBe(1);
    const [row] = await outboxOf(app);
    expect(row).toMatchObject({ to: 'refused@alpha.example', status: 'failed', error: 'EENVELOPE 550', attempts: 1, linksRemoved: true });
    expect(JSON.stringify(row)).not.toContain(String(refusing.port));
    expect(JSON.stringify(row)).not.toContain('127.0.0.1');
    expect(logLines.some((line) => line.includes('could not be sent') && line.includes('EENVELOPE 550'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(refusing.url);
  });

  it('tries a temporary refusal (451) twice, a server that is not there twice too, then records failed', async () => {
    const log = capturedLogger();
    const pool = runtimeOf(app).platform.pool;
    const later = new Mailer(pool, { smtpUrl: busy.url, mailFrom: DEFAULT_MAIL_FROM }, { demo: false, log, retryDelayMs: 10 });
    expect(await later.send({ to: 'later@alpha.example', subject: 'S', text: 'T' })).toMatchObject({ status: 'failed', error: 'EENVELOPE 451', attempts: 2 });
    expect(busy.refused).toBe(2);
    const nowhere = new Mailer(pool, { smtpUrl: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:${await freePort()}`, mailFrom: DEFAULT_MAIL_FROM }, { demo: false, log, retryDelayMs: 10 });
    const delivery = await nowhere.send({ to: 'nowhere@alpha.example', subject: 'S', text: 'T' });
    // Connection refused: nodemailer says ESOCKET (ECONNECTION for some other ways of not getting through).
    expect(delivery).toMatchObject({ status: 'failed', error: expect.stringMatching(/^E(?:SOCKET|CONNECTION)$/), attempts: 2 });
    const rows = await outboxOf(app);
    expect(rows.find((r) => r.to === 'nowhere@alpha.example')).toMatchObject({ status: 'failed', error: delivery.error });
    expect(JSON.stringify(rows)).not.toContain(SMTP_PASSWORD);
    later.close();
    nowhere.close();
  });
});

describe('without SMTP, and with demo data', () => {
  let app: App;
  let smtp: TestSmtp;
  const cookies = {} as Record<'admin' | 'operator' | 'member', string>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await buildTestApp([testClient('alpha', 'UTC', null)], { admin: KEYS.admin });
    await addPerson(app, { email: 'ada@agency.example', role: 'admin' });
    await addPerson(app, { email: 'otto@agency.example', role: 'operator', allClients: true });
    await addPerson(app, { email: 'vera@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    cookies.admin = await signInPerson(app, 'ada@agency.example');
    cookies.operator = await signInPerson(app, 'otto@agency.example');
    cookies.member = await signInPerson(app, 'vera@alpha.example');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('keeps the invitation in the outbox only (outbox-only), with the link removed and saying so; the inviter still gets the link', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/invitations', payload: { email: 'quiet@alpha.example', role: 'member', clientIds: ['alpha'] }, headers: asBrowser(cookies.admin) });
    expect(res.statusCode, res.body).toBe(201);
    const { link } = res.json();
    expect(res.json()).toMatchObject({ emailed: false, delivery: { status: 'outbox-only', error: null } });
    expect((await app.inject({ method: 'GET', url: new URL(link).pathname })).statusCode).toBe(200); // the link works without email

    const outbox = await app.inject({ method: 'GET', url: '/api/outbox', headers: { cookie: cookies.admin } });
    expect(outbox.statusCode).toBe(200);
    const [message] = outbox.json().messages;
    expect(message).toMatchObject({ to: 'quiet@alpha.example', subject: 'You are invited to Chatbot Analytics', status: 'outbox-only', error: null, attempts: 0, linksRemoved: true });
    expect(message.text).toContain('[link removed]');
    expect(message.text).toMatch(/does not keep links that sign someone in/);
    expect(message.html).toContain('[link removed]');
    expect(outbox.body).not.toContain(link);
    expect(outbox.body).not.toContain(link.split('/').at(-1));
  });

  it('shows the outbox, newest first and paged, to admins only', async () => {
    await app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: 'vera@alpha.example' }, headers: { origin: 'http://localhost' } });
    await eventually(() => outboxOf(app), (rows) => rows.some((r) => r.to === 'vera@alpha.example')); // sent after the answer
    await app.inject({ method: 'POST', url: '/api/invitations', payload: { email: 'second@alpha.example', role: 'member', clientIds: ['alpha'] }, headers: asBrowser(cookies.admin) });
    const first = (await app.inject({ method: 'GET', url: '/api/outbox?limit=1', headers: bearer(KEYS.admin) })).json();
    expect(first.messages.map((m: { to: string }) => m.to)).toEqual(['second@alpha.example']);
    expect(first.nextBefore).toEqual(expect.any(Number));
    const rest = (await app.inject({ method: 'GET', url: `/api/outbox?before=${first.nextBefore}`, headers: bearer(KEYS.admin) })).json();
    expect(rest.messages.map((m: { to: string }) => m.to)).toContain('quiet@alpha.example');
    expect(rest.nextBefore).toBeNull();
    expect((await app.inject({ method: 'GET', url: '/api/outbox', headers: { cookie: cookies.operator } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/outbox', headers: { cookie: cookies.member } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/outbox' })).statusCode).toBe(401);
  });

  it('never sends with demo data, even with SMTP_URL set: outbox-only', async () => {
    const demo = new Mailer(runtimeOf(app).platform.pool, { smtpUrl: smtp.url, mailFrom: DEFAULT_MAIL_FROM }, { demo: true, log: capturedLogger() });
    expect(demo.delivers).toBe(false);
    expect(await demo.send({ to: 'demo@alpha.example', subject: 'Demo', text: 'Body' })).toMatchObject({ status: 'outbox-only', attempts: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toEqual([]);
    expect((await outboxOf(app)).find((r) => r.to === 'demo@alpha.example')).toMatchObject({ status: 'outbox-only', text: 'Body', linksRemoved: false });
  });
});
