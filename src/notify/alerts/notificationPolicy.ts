import type { AlertRecord } from './alertState.ts';

/** When to tell people, as Grafana's notification policies do (each alert is its own group here). */
export interface NotificationPolicy {
  /** A new firing alert waits this long before its first notification. */
  groupWaitSeconds: number;
  /** A change (the resolution) after a notification waits this long from it. */
  groupIntervalSeconds: number;
  /** A firing alert is notified again this often while nothing changes. */
  repeatIntervalSeconds: number;
}

export const GRAFANA_DEFAULT_POLICY: NotificationPolicy = { groupWaitSeconds: 30, groupIntervalSeconds: 300, repeatIntervalSeconds: 4 * 3600 };

export interface DueNotification {
  kind: 'alert-firing' | 'alert-resolved';
  /** The same for the same news, so a retried round never sends it twice. */
  key: string;
}

const after = (at: Date, seconds: number, now: Date) => now.getTime() >= at.getTime() + seconds * 1000;

/**
 * The notification the alert is owed at `now`, or null: a firing one after the group wait, again every repeat
 * interval; a resolved one (only when people heard it fire) a group interval after the last. `quiet` (muted, or
 * outside the rule's business hours) holds every notification; a firing alert is told once it ends.
 */
export function notificationDue(alert: AlertRecord, now: Date, quiet: boolean, policy = GRAFANA_DEFAULT_POLICY): DueNotification | null {
  if (quiet || alert.id === null) return null;
  const base = `alert:${alert.id}:${alert.episode}`;
  if (alert.state === 'firing') {
    const due = alert.notifiedState === null
      ? after(alert.since, policy.groupWaitSeconds, now)
      : after(alert.notifiedAt!, policy.repeatIntervalSeconds, now);
    return due ? { kind: 'alert-firing', key: `${base}:firing:${alert.notifiedCount + 1}` } : null;
  }
  if (alert.state === 'resolved' && alert.notifiedState === 'firing' && after(alert.notifiedAt!, policy.groupIntervalSeconds, now)) {
    return { kind: 'alert-resolved', key: `${base}:resolved` };
  }
  return null;
}

/** The record once `due` has been handed to delivery. */
export function notified(alert: AlertRecord, due: DueNotification, now: Date): AlertRecord {
  return due.kind === 'alert-firing'
    ? { ...alert, notifiedState: 'firing', notifiedAt: now, notifiedCount: alert.notifiedCount + 1 }
    : { ...alert, notifiedState: 'resolved', notifiedAt: now };
}
