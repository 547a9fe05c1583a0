-- Alert rules and their state (see src/notify/alerts/). Defaults live in code; a client's row holds only what an
-- operator changed, so a better default reaches every client that did not choose otherwise.
CREATE SCHEMA IF NOT EXISTS notify;

CREATE TABLE notify.alert_rules (
  client_id text PRIMARY KEY,
  -- { businessHours?, rules?: { <rule>?: { <setting>?: value } } }: the overrides only.
  overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);

-- One row per client and rule: where it stands now, and what was last sent about it.
CREATE TABLE notify.alerts (
  id bigserial PRIMARY KEY,
  client_id text NOT NULL,
  rule text NOT NULL,
  state text NOT NULL CHECK (state IN ('ok', 'pending', 'firing', 'resolved')),
  -- When the current state began.
  since timestamptz NOT NULL,
  -- Failing evaluations in a row (two fire it).
  failing_streak integer NOT NULL DEFAULT 0,
  -- Counts each time it fires: notification keys of one episode share it.
  episode integer NOT NULL DEFAULT 0,
  title text NOT NULL DEFAULT '',
  -- What the last evaluation measured (observed, expected, p, rates…), for the API and the notification.
  facts jsonb NOT NULL DEFAULT '{}'::jsonb,
  evaluated_at timestamptz NOT NULL,
  -- The last notification of this episode: 'firing' (with how many so far) or 'resolved'.
  notified_state text CHECK (notified_state IN ('firing', 'resolved')),
  notified_at timestamptz,
  notified_count integer NOT NULL DEFAULT 0,
  UNIQUE (client_id, rule)
);
CREATE INDEX alerts_open ON notify.alerts (client_id) WHERE state IN ('pending', 'firing');

-- Every change of state, newest read first.
CREATE TABLE notify.alert_history (
  id bigserial PRIMARY KEY,
  alert_id bigint NOT NULL REFERENCES notify.alerts (id) ON DELETE CASCADE,
  client_id text NOT NULL,
  rule text NOT NULL,
  at timestamptz NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  title text NOT NULL,
  facts jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX alert_history_client ON notify.alert_history (client_id, at DESC, id DESC);
CREATE INDEX alert_history_at ON notify.alert_history (at DESC, id DESC);
