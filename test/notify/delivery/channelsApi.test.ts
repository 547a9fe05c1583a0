import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, KEYS, runtimeOf, testClient } from '../../helpers/buildTestApp.ts';
import { addPerson, asBrowser, signInPerson } from '../../helpers/people.ts';
import { MASTER_KEYS } from '../../helpers/secrets.ts';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtpServer.ts';
import { verifySignature } from '../../../src/notify/delivery/signature.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhookReceiver.ts';

/**
 * `/api/channels`: admins and operators manage channels, the webhook secret is shown once and never again (not in
 * answers, not in logs), "send test" delivers and records the attempt, and a bad body is a 400 naming the field.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
let app: App;
let receiver: WebhookReceiver;
let smtp: TestSmtp;
let operator: string;
let member: string;
const logLines: string[] = [];
const admin = bearer(KEYS.admin);

beforeAll(async () => {
  [receiver, smtp] = await Promise.all([startWebhookReceiver(), startSmtpServer()]);
  app = await buildTestApp([testClient('alpha', 'UTC', null), testClient('beta', 'UTC', null)], {
    admin: KEYS.admin, logLines, notify: { smtpUrl: smtp.url }, encryptionKeys: [{ kid: 'k1', key: Buffer.from(MASTER_KEYS.k1, 'base64') }],
  });
  await addPerson(app, { email: 'olga@agency.example', role: 'operator', clients: { alpha: 'editor' } });
  await addPerson(app, { email: 'mia@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
  [operator, member] = await Promise.all([signInPerson(app, 'olga@agency.example'), signInPerson(app, 'mia@alpha.example')]);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await Promise.all([receiver?.close(), smtp?.close()]);
});

const post = (payload: object, headers: Record<string, string> = admin) => app.inject({ method: 'POST', url: '/api/channels', payload, headers });

describe('webhook channels', () => {
  it('shows the secret once; the URL and secret are stored sealed and never answered or logged again', async () => {
    const created = await post({ name: 'Ops hook', kind: 'webhook', url: receiver.url });
    expect(created.statusCode, created.body).toBe(201);
    const { channel, secret } = created.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(channel).toMatchObject({ name: 'Ops hook', kind: 'webhook', urlHost: new URL(receiver.url).host, clientIds: null, kinds: ['alert-firing', 'alert-resolved'], enabled: true });
    const { rows: [stored] } = await runtimeOf(app).platform.pool.query('SELECT url_sealed::text AS url, secret_sealed::text AS secret FROM notify.channels WHERE id = $1', [channel.id]);
    expect(stored.url).not.toContain('/hooks/alerts');
    expect(stored.secret).not.toContain(secret);

    const tested = await app.inject({ method: 'POST', url: `/api/channels/${channel.id}/test`, headers: admin });
    expect(tested.statusCode, tested.body).toBe(200);
    expect(tested.json()).toMatchObject({ ok: true, status: 'sent', code: 200, error: null });
    const request = receiver.requests.at(-1)!;
    expect(verifySignature(secret, { timestamp: String(request.headers['x-signature-timestamp']), signature: String(request.headers['x-signature']) }, request.body)).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({ kind: 'test', clientId: null, title: 'Test notification for "Ops hook"' });

    const attempts = await app.inject({ method: 'GET', url: `/api/channels/${channel.id}/attempts`, headers: admin });
    expect(attempts.json()).toEqual([expect.objectContaining({ notificationKey: tested.json().notificationKey, attempt: 1, status: 'sent', code: 200, error: null })]);

    const answers = [
      (await app.inject({ method: 'GET', url: '/api/channels', headers: admin })).body,
      (await app.inject({ method: 'GET', url: `/api/channels/${channel.id}`, headers: admin })).body,
      (await app.inject({ method: 'PATCH', url: `/api/channels/${channel.id}`, payload: { name: 'Ops hook 2' }, headers: admin })).body,
      attempts.body, tested.body,
      (await app.inject({ method: 'GET', url: '/api/audit', headers: admin })).body,
    ];
    for (const body of answers) {
      expect(body).not.toContain(secret);
      expect(body).not.toContain('/hooks/alerts');
    }
    expect(logLines.join('\n')).not.toContain(secret);
    expect(logLines.join('\n')).not.toContain('/hooks/alerts');
    const { rows: audited } = await runtimeOf(app).platform.pool.query(`SELECT action, target FROM access.audit WHERE action LIKE 'channel-%' ORDER BY id`);
    expect(audited).toEqual([
      { action: 'channel-created', target: 'Ops hook' }, { action: 'channel-tested', target: 'Ops hook' }, { action: 'channel-changed', target: 'Ops hook 2' },
    ]);
  });

  it('a failing receiver: the test says so with the HTTP status, never what the receiver wrote', async () => {
    const { channel } = (await post({ name: 'Broken hook', kind: 'slack', url: receiver.url })).json();
    receiver.answer(503);
    const tested = await app.inject({ method: 'POST', url: `/api/channels/${channel.id}/test`, headers: admin });
    expect(tested.json()).toMatchObject({ ok: false, status: 'failed', code: 503, error: 'HTTP_503' });
    expect(tested.body).not.toContain('receiver-private-detail');
  });
});

describe('email channels', () => {
  it('send test reaches a real SMTP server and is recorded', async () => {
    const { channel } = (await post({ name: 'On-call mail', kind: 'email', addresses: ['OnCall@Agency.example'] })).json();
    expect(channel.addresses).toEqual(['oncall@agency.example']);
    smtp.messages.length = 0;
    const tested = await app.inject({ method: 'POST', url: `/api/channels/${channel.id}/test`, headers: admin });
    expect(tested.json()).toMatchObject({ ok: true, status: 'sent', code: 250 });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.subject).toBe('Test notification for "On-call mail"');
    expect(mail!.text).toContain('sent by');
  });
});

describe('bad bodies are 400s naming the field', () => {
  it.each([
    [{ name: 'x', kind: 'webhook', url: 'ftp://example.com/hook' }, 'url: must be an http:// or https:// URL'],
    [{ name: 'x', kind: 'webhook', url: 'https://user:pw@example.com/hook' }, 'url: must not hold a user name or password'],
    [{ name: 'x', kind: 'webhook' }, 'url: is required for a webhook channel'],
    [{ name: 'x', kind: 'email', addresses: ['not-an-address'] }, 'addresses: "not-an-address" is not an email address'],
    [{ name: 'x', kind: 'email' }, 'addresses: give addresses, or toMembers: true'],
    [{ name: 'x', kind: 'email', addresses: ['a@b.example'], url: 'https://example.com' }, 'url: an email channel has no URL'],
    [{ name: '  ', kind: 'email', addresses: ['a@b.example'] }, 'name: must not be blank'],
    [{ name: 'x', kind: 'email', addresses: ['a@b.example'], clientIds: ['nope'] }, 'clientIds: "nope" is not a client you see'],
    [{ name: 'x', kind: 'pager' }, 'kind'],
    [{ name: 'x', kind: 'email', addresses: ['a@b.example'], kinds: ['sometimes'] }, 'kinds'],
  ])('%j', async (payload, message) => {
    const res = await post(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('INVALID_PARAMETER');
    expect(res.json().error.message).toContain(message);
  });
});

describe('who may manage channels', () => {
  it('an operator manages channels of its clients only; a member may not; others\' channels are 404', async () => {
    const own = await post({ name: 'Alpha hook', kind: 'webhook', url: receiver.url, clientIds: ['alpha'] }, asBrowser(operator));
    expect(own.statusCode, own.body).toBe(201);
    expect((await post({ name: 'All', kind: 'email', addresses: ['a@b.example'], clientIds: null }, asBrowser(operator))).json().error.message)
      .toContain('clientIds: choose the clients');
    expect((await post({ name: 'Beta', kind: 'email', addresses: ['a@b.example'], clientIds: ['beta'] }, asBrowser(operator))).statusCode).toBe(400);
    const listed = (await app.inject({ method: 'GET', url: '/api/channels', headers: asBrowser(operator) })).json();
    expect(listed.map((c: { name: string }) => c.name)).toEqual(['Alpha hook']);
    const adminsOwn = (await app.inject({ method: 'GET', url: '/api/channels', headers: admin })).json().find((c: { name: string }) => c.name === 'Ops hook 2');
    expect((await app.inject({ method: 'DELETE', url: `/api/channels/${adminsOwn.id}`, headers: asBrowser(operator) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/channels', headers: asBrowser(member) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/api/channels/${own.json().channel.id}`, headers: asBrowser(operator) })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/channels/${own.json().channel.id}`, headers: admin })).statusCode).toBe(404);
  });
});
