import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Jobs } from '../../../src/jobs/jobs.ts';
import { startJobs } from '../../../src/jobs/pgBossJobs.ts';
import { Mailer } from '../../../src/notify/mailer.ts';
import type { Notification } from '../../../src/notify/notification.ts';
import { listAttempts } from '../../../src/notify/delivery/attempts.ts';
import { createChannel } from '../../../src/notify/delivery/channels.ts';
import { registerDeliveryJobs } from '../../../src/notify/delivery/deliveryJobs.ts';
import type { DeliveryNotifier } from '../../../src/notify/delivery/notifier.ts';
import { newWebhookSecret, verifySignature } from '../../../src/notify/delivery/signature.ts';
import { SecretBox } from '../../../src/platform/secrets.ts';
import { capturedLogger } from '../../helpers/logCapture.ts';
import { MASTER_KEYS } from '../../helpers/secrets.ts';
import { eventually } from '../../helpers/smtpServer.ts';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhookReceiver.ts';

/**
 * Delivery through the real jobs engine (pg-boss on the platform database): notify() queues one job per listening
 * channel, a failing receiver is retried after the backoff delay, and the news is delivered exactly once.
 */
let db: TestDatabase;
let receiver: WebhookReceiver;
let jobs: Jobs;
let notifier: DeliveryNotifier;
let mailer: Mailer;
const box = new SecretBox([{ kid: 'k1', key: Buffer.from(MASTER_KEYS.k1, 'base64') }]);
const RETRY_DELAY_SECONDS = 2;

const news = (key: string, clientId: string): Notification => ({
  key, clientId, kind: 'alert-firing', title: `${clientId}: no sessions`, text: 'Quiet for 3 h.', url: null, fields: { expected: 40 },
});

beforeAll(async () => {
  [db, receiver] = await Promise.all([createTestDatabase('delivery_jobs'), startWebhookReceiver()]);
  await asPlatformDatabase(db);
  const log = capturedLogger();
  jobs = await startJobs(db.pool, { work: true, pollMs: 500, superviseSeconds: 2, graceMs: 2000 }, log);
  mailer = new Mailer(db.pool, { smtpUrl: null, mailFrom: 'alerts@agency.example' }, { demo: false, log });
  notifier = await registerDeliveryJobs(jobs, {
    db: db.pool, box, mailer, allowPrivateAddresses: true, log, retries: { retryDelaySeconds: RETRY_DELAY_SECONDS, retryLimit: 3 },
  });
}, 60_000);
afterAll(async () => {
  await jobs?.stop();
  mailer?.close();
  await receiver?.close();
  await db?.drop();
});

describe('notify() through real jobs', () => {
  it('a receiver answering 500 then 200 sees a retry after the backoff delay, and exactly one success is recorded', async () => {
    const secret = newWebhookSecret();
    const channel = await createChannel(db.pool, box, {
      name: 'Flaky', kind: 'webhook', addresses: [], toMembers: false, webhook: { url: receiver.url, secret }, clientIds: ['alpha'], kinds: ['alert-firing'], enabled: true,
    });
    const email = await createChannel(db.pool, null, {
      name: 'Mail', kind: 'email', addresses: ['ops@agency.example'], toMembers: false, webhook: null, clientIds: ['alpha'], kinds: ['alert-firing'], enabled: true,
    });
    receiver.answer(500);
    await notifier.notify(news('alert:9:firing:1', 'alpha'));
    await notifier.notify(news('alert:9:firing:1', 'alpha')); // the same news again while its job waits: not queued twice
    await notifier.notify(news('alert:9:firing:1', 'beta')); // no channel listens for beta

    const [first, second] = await receiver.waitFor(2, 30_000);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(RETRY_DELAY_SECONDS * 1000 - 100);
    expect(verifySignature(secret, { timestamp: String(second!.headers['x-signature-timestamp']), signature: String(second!.headers['x-signature']) }, second!.body)).toBe(true);
    const attempts = await eventually(() => listAttempts(db.pool, { channelId: channel.id, limit: 10 }), (rows) => rows.some((r) => r.status === 'sent'));
    expect(attempts.reverse().map(({ attempt, status, code }) => ({ attempt, status, code }))).toEqual([
      { attempt: 1, status: 'failed', code: 500 },
      { attempt: 2, status: 'sent', code: 200 },
    ]);
    // Without SMTP the email channel's message is kept in the outbox: done, once.
    const mailed = await eventually(() => listAttempts(db.pool, { channelId: email.id, limit: 10 }), (rows) => rows.length > 0 && rows[0]!.status !== 'sending');
    expect(mailed.map((r) => r.status)).toEqual(['outbox-only']);
    const { rows: outbox } = await db.pool.query<{ to: string; subject: string }>('SELECT "to", subject FROM notify.outbox');
    expect(outbox).toEqual([{ to: 'ops@agency.example', subject: 'alpha: no sessions' }]);

    // Sent again later (a new notify of the same key, e.g. an alert evaluation retried): nothing goes out twice.
    await notifier.notify(news('alert:9:firing:1', 'alpha'));
    await eventually(async () => (await db.pool.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'notify-delivery' AND state = 'completed'`)).rows[0].n, (n) => n >= 3, 20_000);
    expect(receiver.requests.length).toBe(2);
    expect((await listAttempts(db.pool, { channelId: channel.id, limit: 10 })).filter((r) => r.status === 'sent')).toHaveLength(1);
  });
});
