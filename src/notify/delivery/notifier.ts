import type { Queryable } from '../../db/queryable.ts';
import type { Jobs } from '../../jobs/jobs.ts';
import type { Notification, Notifier } from '../notification.ts';
import { listeningChannels } from './channels.ts';

/** One job per notification and channel. */
export const DELIVERY_QUEUE = 'notify-delivery';

export interface DeliveryJob {
  channelId: string;
  notification: Notification;
}

/**
 * The Notifier the alerts call: one delivery job per channel listening for the notification. The singleton key
 * (notification key + channel) keeps a second notify() of the same news from queueing it twice while one waits; the
 * attempt record (attempts.ts) keeps a retry from sending it twice once it went out.
 */
export class DeliveryNotifier implements Notifier {
  constructor(private readonly db: Queryable, private readonly jobs: Jobs) {}

  async notify(notification: Notification): Promise<void> {
    for (const channel of await listeningChannels(this.db, notification)) {
      await this.jobs.send<DeliveryJob>(DELIVERY_QUEUE, { channelId: channel.id, notification }, { singletonKey: `${notification.key}:${channel.id}` });
    }
  }
}
