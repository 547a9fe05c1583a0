import type { Queryable } from '../../db/queryable.ts';
import { createChannel, LISTENABLE_KINDS, listChannels, type Channel } from './channels.ts';

/** Where the demo's emails go: a reserved domain (RFC 2606 `.invalid`), never a real mailbox. Demo mail is never sent. */
export const DEMO_OPERATORS_ADDRESS = 'operators@demo.invalid';
export const DEMO_CHANNEL_NAME = 'Demo operators';

/**
 * Demo data only: the default channel its alerts go to — email to the demo operators, every client, every kind — so
 * the alerts the demo data fires reach the outbox. Made through the channels module when the platform has none of
 * that name (a platform database kept across restarts gets it once; an admin may change it like any other).
 */
export async function ensureDemoChannel(db: Queryable): Promise<{ channel: Channel; created: boolean }> {
  const existing = (await listChannels(db)).find((c) => c.name === DEMO_CHANNEL_NAME);
  if (existing) return { channel: existing, created: false };
  const channel = await createChannel(db, null, {
    name: DEMO_CHANNEL_NAME, kind: 'email', addresses: [DEMO_OPERATORS_ADDRESS], toMembers: false, webhook: null,
    clientIds: null, kinds: [...LISTENABLE_KINDS], enabled: true,
  });
  return { channel, created: true };
}
