import type { Notification } from '../notification.ts';

/** The generic webhook body: the notification as it is, with a version and when it was sent. */
export function jsonBody(notification: Notification, sentAt: Date): string {
  const { key, clientId, kind, title, text, url, fields } = notification;
  return JSON.stringify({ version: 1, key, kind, clientId, title, text, url, fields, sentAt: sentAt.toISOString() });
}

const EMOJI: Record<Notification['kind'], string> = { 'alert-firing': ':rotating_light:', 'alert-resolved': ':white_check_mark:', test: ':wave:' };

/** Slack's mrkdwn treats these three as markup: escaped as Slack documents. */
const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A Slack-compatible body (Slack incoming webhooks, and the many chat tools that accept the same): `text` is the
 * fallback for notifications, `blocks` the message — a header, the text, the facts as fields, a link.
 */
export function slackBody(notification: Notification): string {
  const facts = Object.entries(notification.fields).filter(([, value]) => value !== null).slice(0, 10);
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: notification.title.slice(0, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `${EMOJI[notification.kind]} ${escape(notification.text).slice(0, 2900)}` } },
  ];
  if (facts.length > 0) {
    blocks.push({ type: 'section', fields: facts.map(([name, value]) => ({ type: 'mrkdwn', text: `*${escape(name)}*\n${escape(String(value))}` })) });
  }
  if (notification.url) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open dashboard' }, url: notification.url }] });
  }
  return JSON.stringify({ text: `${notification.title}\n${notification.text}`.slice(0, 3000), blocks });
}
