import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/access/passwords.ts';
import { createUser } from '../../../src/access/users.ts';
import { Mailer } from '../../../src/notify/mailer.ts';
import type { Notification } from '../../../src/notify/notification.ts';
import { listAttempts } from '../../../src/notify/delivery/attempts.ts';
import { createChannel, listeningChannels, type Channel, type NewChannel } from '../../../src/notify/delivery/channels.ts';
import { deliverToChannel, type DeliveryDeps } from '../../../src/notify/delivery/deliver.ts';
import { DeliveryFailed, deliveryHandler } from '../../../src/notify/delivery/deliveryJobs.ts';
import { newWebhookSecret, verifySignature } from '../../../src/notify/delivery/signature.ts';
import { SecretBox } from '../../../src/platform/secrets.ts';
import { capturedLogger } from '../../helpers/logCapture.ts';
import { MASTER_KEYS } from '../../helpers/secrets.ts';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtpServer.ts';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhookReceiver.ts';

/**
 * Delivery against real receivers: a local HTTP server gets signed JSON and Slack bodies, a receiver that fails first
 * gets a retry and one recorded success, a real SMTP server gets the email, and every attempt is recorded.
 */
let db: TestDatabase;
let receiver: WebhookReceiver;
let smtp: TestSmtp;
let deps: DeliveryDeps;
const logLines: string[] = [];
const box = new SecretBox([{ kid: 'k1', key: Buffer.from(MASTER_KEYS.k1, 'base64') }]);
const NOW = new Date('2024-04-08T02:00:00Z');

const firing = (key: string, clientId: string | null = 'alpha'): Notification => ({
  key, clientId, kind: 'alert-firing', title: 'Client alpha: no chatbot sessions for 3 h (usually 40)',
  text: 'No sessions since 09:00 <local>; usually 40 by now.', url: 'https://analytics.example.com/alpha/dashboard',
  fields: { rule: 'no-data', expected: 40, observed: 0, since: null },
});

const base: Omit<NewChannel, 'name' | 'kind'> = { addresses: [], toMembers: false, webhook: null, clientIds: null, kinds: ['alert-firing', 'alert-resolved'], enabled: true };
const webhook = async (name: string, kind: 'webhook' | 'slack', extra: Partial<NewChannel> = {}): Promise<{ channel: Channel; secret: string }> => {
  const secret = newWebhookSecret();
  return { channel: await createChannel(db.pool, box, { ...base, name, kind, webhook: { url: receiver.url, secret }, ...extra }), secret };
};
const attemptsOf = async (channelId: string) => (await listAttempts(db.pool, { channelId, limit: 50 })).reverse()
  .map(({ attempt, status, code, error }) => ({ attempt, status, code, error }));

beforeAll(async () => {
  [db, receiver, smtp] = await Promise.all([createTestDatabase('delivery'), startWebhookReceiver(), startSmtpServer()]);
  await asPlatformDatabase(db);
  const log = capturedLogger(logLines);
  deps = { db: db.pool, box, mailer: new Mailer(db.pool, { smtpUrl: smtp.url, mailFrom: 'Alerts <alerts@agency.example>' }, { demo: false, log, retryDelayMs: 10 }), allowPrivateAddresses: true, now: () => NOW };
}, 60_000);
afterAll(async () => {
  deps?.mailer.close();
  await Promise.all([receiver?.close(), smtp?.close()]);
  await db?.drop();
});

describe('a generic webhook', () => {
  it('receives the notification as JSON, signed with HMAC-SHA256 over timestamp and body, which the receiver verifies', async () => {
    const { channel, secret } = await webhook('Ops hook', 'webhook');
    receiver.requests.length = 0;
    const result = await deliverToChannel(deps, channel, firing('alert:1:firing:1'), 1);
    expect(result).toMatchObject({ status: 'sent', code: 200, error: null, retry: false, already: null });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-notification-key']).toBe(encodeURIComponent('alert:1:firing:1'));
    // What a receiver does: HMAC over "<timestamp>.<raw body>", constant-time compare, and a fresh timestamp.
    const timestamp = String(request!.headers['x-signature-timestamp']);
    expect(Number(timestamp)).toBe(NOW.getTime() / 1000);
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${request!.body}`).digest('hex')}`;
    const given = String(request!.headers['x-signature']);
    expect(given).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(timingSafeEqual(Buffer.from(given), Buffer.from(expected))).toBe(true);
    expect(verifySignature(secret, { timestamp, signature: given }, request!.body, NOW)).toBe(true);
    // A changed body, another secret or a replay ten minutes later do not verify.
    expect(verifySignature(secret, { timestamp, signature: given }, request!.body.replace('40', '41'), NOW)).toBe(false);
    expect(verifySignature(newWebhookSecret(), { timestamp, signature: given }, request!.body, NOW)).toBe(false);
    expect(verifySignature(secret, { timestamp, signature: given }, request!.body, new Date(NOW.getTime() + 600_000))).toBe(false);
    expect(JSON.parse(request!.body)).toEqual({
      version: 1, key: 'alert:1:firing:1', kind: 'alert-firing', clientId: 'alpha', title: 'Client alpha: no chatbot sessions for 3 h (usually 40)',
      text: 'No sessions since 09:00 <local>; usually 40 by now.', url: 'https://analytics.example.com/alpha/dashboard',
      fields: { rule: 'no-data', expected: 40, observed: 0, since: null }, sentAt: NOW.toISOString(),
    });
    expect(request!.body).not.toContain(secret);
    expect(await attemptsOf(channel.id)).toEqual([{ attempt: 1, status: 'sent', code: 200, error: null }]);
  });
});

describe('a Slack-compatible webhook', () => {
  it('receives text plus blocks: a header, the text, the facts as fields and a link button, with mrkdwn escaped', async () => {
    const { channel } = await webhook('Slack #alerts', 'slack');
    receiver.requests.length = 0;
    await deliverToChannel(deps, channel, firing('alert:2:firing:1'), 1);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toEqual({
      text: 'Client alpha: no chatbot sessions for 3 h (usually 40)\nNo sessions since 09:00 <local>; usually 40 by now.',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Client alpha: no chatbot sessions for 3 h (usually 40)', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: ':rotating_light: No sessions since 09:00 &lt;local&gt;; usually 40 by now.' } },
        { type: 'section', fields: [{ type: 'mrkdwn', text: '*rule*\nno-data' }, { type: 'mrkdwn', text: '*expected*\n40' }, { type: 'mrkdwn', text: '*observed*\n0' }] },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open dashboard' }, url: 'https://analytics.example.com/alpha/dashboard' }] },
      ],
    });
    expect(request!.headers['x-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('retries and exactly one success', () => {
  it('a receiver answering 500 makes the job fail (to be retried); the retry succeeds; a retry after success sends nothing', async () => {
    const { channel } = await webhook('Flaky hook', 'webhook');
    const handle = deliveryHandler({ ...deps, log: capturedLogger() });
    receiver.requests.length = 0;
    receiver.answer(500);
    const job = { channelId: channel.id, notification: firing('alert:3:firing:1') };
    await expect(handle(job, { retryCount: 0 })).rejects.toBeInstanceOf(DeliveryFailed);
    await handle(job, { retryCount: 1 });
    await handle(job, { retryCount: 2 }); // the queue ran it again after it succeeded (e.g. lost acknowledgement)
    expect(receiver.requests.length).toBe(2);
    expect(await attemptsOf(channel.id)).toEqual([
      { attempt: 1, status: 'failed', code: 500, error: 'HTTP_500' },
      { attempt: 2, status: 'sent', code: 200, error: null },
    ]);
  });

  it('a 4xx other than 408/429 is recorded and not retried; an unreachable receiver is retried', async () => {
    const { channel } = await webhook('Gone hook', 'webhook');
    const handle = deliveryHandler({ ...deps, log: capturedLogger() });
    receiver.answer(410);
    await handle({ channelId: channel.id, notification: firing('alert:4:firing:1') }, { retryCount: 0 });
    const closed = await createChannel(db.pool, box, { ...base, name: 'Nobody home', kind: 'webhook', webhook: { url: 'http://127.0.0.1:9/hook', secret: newWebhookSecret() } });
    await expect(handle({ channelId: closed.id, notification: firing('alert:4:firing:1') }, { retryCount: 0 })).rejects.toThrow(/ECONNREFUSED/);
    expect(await attemptsOf(channel.id)).toEqual([{ attempt: 1, status: 'failed', code: 410, error: 'HTTP_410' }]);
    expect(await attemptsOf(closed.id)).toEqual([{ attempt: 1, status: 'failed', code: null, error: 'ECONNREFUSED' }]);
  });

  it('in production a webhook whose host resolves to the loopback is refused at connection time, and not retried', async () => {
    const channel = await createChannel(db.pool, box, { ...base, name: 'Sneaky', kind: 'webhook', webhook: { url: `${receiver.url.replace('127.0.0.1', 'localhost')}`, secret: newWebhookSecret() } });
    receiver.requests.length = 0;
    const result = await deliverToChannel({ ...deps, allowPrivateAddresses: false }, channel, firing('alert:5:firing:1'), 1);
    expect(result).toMatchObject({ status: 'failed', code: null, error: 'EPRIVATEADDRESS', retry: false });
    expect(receiver.requests).toEqual([]);
  });
});

describe('email', () => {
  it("reaches a real SMTP server: the chosen addresses, or the client's people", async () => {
    const chosen = await createChannel(db.pool, null, { ...base, name: 'On-call', kind: 'email', addresses: ['oncall@agency.example', 'boss@agency.example'] });
    const members = await createChannel(db.pool, null, { ...base, name: 'Alpha team', kind: 'email', toMembers: true, clientIds: ['alpha'] });
    const hash = await hashPassword('a-password-nobody-uses-9931');
    await createUser(db.pool, { email: 'vera@alpha.example', name: 'Vera', role: 'member', allClients: false, clients: { alpha: 'viewer' }, passwordHash: hash });
    await createUser(db.pool, { email: 'bob@beta.example', name: 'Bob', role: 'member', allClients: false, clients: { beta: 'viewer' }, passwordHash: hash });
    smtp.messages.length = 0;
    expect(await deliverToChannel(deps, chosen, firing('alert:6:firing:1'), 1)).toMatchObject({ status: 'sent', code: 250 });
    expect(await deliverToChannel(deps, members, firing('alert:6:firing:1'), 1)).toMatchObject({ status: 'sent', code: 250 });
    const [toChosen, toMembers] = await smtp.waitForMessages(2);
    expect(toChosen!.to && 'text' in toChosen!.to ? toChosen!.to.text : '').toBe('oncall@agency.example, boss@agency.example');
    expect(toChosen!.subject).toBe('Client alpha: no chatbot sessions for 3 h (usually 40)');
    expect(toChosen!.text).toContain('No sessions since 09:00 <local>; usually 40 by now.');
    expect(toChosen!.text).toContain('https://analytics.example.com/alpha/dashboard');
    expect(toChosen!.html).toContain('<th align="left">expected</th><td>40</td>');
    expect(toMembers!.to && 'text' in toMembers!.to ? toMembers!.to.text : '').toBe('vera@alpha.example');
    expect(await attemptsOf(chosen.id)).toEqual([{ attempt: 1, status: 'sent', code: 250, error: null }]);
    // The portfolio (no client) has no members: skipped, not failed, not retried.
    expect(await deliverToChannel(deps, members, firing('digest:1', null), 1)).toMatchObject({ status: 'skipped', error: 'ENORECIPIENTS', retry: false });
  });
});

describe('who listens', () => {
  it('a channel gets the kinds and clients it listens for; disabled ones nothing; a test reaches every enabled one', async () => {
    const scope = ['listen-a', 'listen-b'];
    const a = await createChannel(db.pool, null, { ...base, name: 'A firing', kind: 'email', addresses: ['a@x.example'], clientIds: ['listen-a'], kinds: ['alert-firing'] });
    const b = await createChannel(db.pool, null, { ...base, name: 'B all', kind: 'email', addresses: ['b@x.example'], clientIds: ['listen-b'] });
    await createChannel(db.pool, null, { ...base, name: 'A off', kind: 'email', addresses: ['c@x.example'], clientIds: ['listen-a'], enabled: false });
    const ids = async (clientId: string, kind: Notification['kind']) =>
      (await listeningChannels(db.pool, { clientId, kind })).filter((c) => c.clientIds && scope.includes(c.clientIds[0]!)).map((c) => c.name);
    expect(await ids('listen-a', 'alert-firing')).toEqual([a.name]);
    expect(await ids('listen-a', 'alert-resolved')).toEqual([]);
    expect(await ids('listen-b', 'alert-resolved')).toEqual([b.name]);
    expect(await ids('listen-a', 'test')).toEqual([a.name]);
  });
});
