import type { ClientConfig } from '../../config/clients.ts';
import type { Notification } from '../notification.ts';
import type { AlertRecord } from './alertState.ts';
import type { DueNotification } from './notificationPolicy.ts';

/** What delivery is handed about an alert: a title, a few plain lines, where to look, and the measured facts. */
export function notificationOf(alert: AlertRecord, due: DueNotification, client: ClientConfig, publicUrl: string | null): Notification {
  const firing = due.kind === 'alert-firing';
  const title = firing ? alert.title : `Resolved: ${alert.title}`;
  const facts = Object.entries(alert.facts).filter(([, v]) => v !== null && typeof v !== 'boolean') as [string, string | number][];
  const text = [
    title,
    firing ? `Firing since ${alert.since.toISOString()} (rule ${alert.rule}).` : `Resolved at ${alert.since.toISOString()} (rule ${alert.rule}).`,
    ...facts.map(([name, value]) => `${name}: ${typeof value === 'number' ? Number(value.toPrecision(4)) : value}`),
  ].join('\n');
  const path = `/${encodeURIComponent(client.id)}/dashboard`;
  return {
    key: due.key, clientId: client.id, kind: due.kind, title, text,
    url: publicUrl ? `${publicUrl}${path}` : path,
    fields: { client: client.name, rule: alert.rule, state: alert.state, since: alert.since.toISOString(), ...Object.fromEntries(facts) },
  };
}
