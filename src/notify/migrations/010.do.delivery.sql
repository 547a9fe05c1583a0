-- Where notifications go (see src/notify/delivery/). A channel is an email list (chosen addresses, or the members of
-- the client a notification is about) or a webhook (a signed JSON body, or a Slack-compatible one). A webhook's URL
-- and signing secret are stored sealed (src/platform/secrets.ts, bound to the channel id) and never returned.
CREATE SCHEMA IF NOT EXISTS notify;

CREATE TABLE notify.channels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('email', 'webhook', 'slack')),
  -- email: the chosen addresses, or (to_members) the members of the notification's client.
  addresses text[] NOT NULL DEFAULT '{}',
  to_members boolean NOT NULL DEFAULT false,
  -- webhook and slack: the sealed URL and signing secret; the URL's host alone, to show.
  url_sealed jsonb,
  url_host text,
  secret_sealed jsonb,
  -- NULL: every client (and the whole portfolio); otherwise these clients only.
  client_ids text[],
  -- The notification kinds it listens for ('test' always reaches it).
  kinds text[] NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'email') = (url_sealed IS NULL AND secret_sealed IS NULL))
);

-- Every attempt to deliver one notification on one channel. Never a secret, a URL or what the receiver answered:
-- the outcome, the HTTP status or SMTP reply code, how long it took, and an error code.
CREATE TABLE notify.delivery_attempts (
  id bigserial PRIMARY KEY,
  channel_id uuid NOT NULL REFERENCES notify.channels (id) ON DELETE CASCADE,
  notification_key text NOT NULL,
  attempt integer NOT NULL,
  status text NOT NULL CHECK (status IN ('sending', 'sent', 'outbox-only', 'failed', 'skipped')),
  code integer,
  duration_ms integer,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
-- At most one attempt of a key on a channel is under way or has succeeded: the claim that makes a retry after success
-- (or a second worker) find it done instead of sending again.
CREATE UNIQUE INDEX delivery_attempts_once ON notify.delivery_attempts (channel_id, notification_key)
  WHERE status IN ('sending', 'sent', 'outbox-only');
CREATE INDEX delivery_attempts_recent ON notify.delivery_attempts (channel_id, id DESC);
