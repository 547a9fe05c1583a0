import type { Notification } from '../notification.ts';
import type { Channel } from './channels.ts';

/** What "Send test" sends: plainly a test, about no client, with nothing in it but who asked and when. */
export function testNotification(channel: Pick<Channel, 'name' | 'kind'>, key: string, publicUrl: string | null, by: string, now = new Date()): Notification {
  return {
    key,
    clientId: null,
    kind: 'test',
    title: `Test notification for "${channel.name}"`,
    text: `This is a test from Chatbot Analytics, sent by ${by}. Alerts will arrive on this ${channel.kind} channel like this.`,
    url: publicUrl ? `${publicUrl}/settings/channels` : null,
    fields: { channel: channel.name, sentBy: by, sentAt: now.toISOString() },
  };
}
