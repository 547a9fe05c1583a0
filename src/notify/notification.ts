/**
 * What the alerts hand to delivery: one notification about one client (or the whole portfolio), to be sent on every
 * channel that listens for it. `key` is the same whenever the same news is retried, so a retry never sends it twice.
 */
export interface Notification {
  /** Unique per piece of news (e.g. `alert:<alertId>:firing:<n>`): delivery sends each key once per channel. */
  key: string;
  /** The client it is about; null for the whole portfolio (the operator digest). */
  clientId: string | null;
  kind: 'alert-firing' | 'alert-resolved' | 'test';
  /** One line: "Clinic: no chatbot sessions for 3 h (usually 40)". */
  title: string;
  /** Plain text, a few lines, no secrets. */
  text: string;
  /** Where to look: the client's dashboard, absolute when PUBLIC_URL is set. */
  url: string | null;
  /** Facts for webhook bodies and Slack fields. */
  fields: Record<string, string | number | null>;
}

/** Delivery as the alerts see it: queue the notification; it is sent (with retries) by delivery's own jobs. */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}
