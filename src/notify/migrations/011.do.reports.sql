-- Scheduled email reports (src/notify/reports). A schedule per client and kind (weekly, monthly), and one for the
-- operator digest of the whole portfolio (client_id '*', which no client id can be). `created_at` is when it started:
-- periods that ended before it are never sent, so the first start does not flood inboxes with a backlog.
CREATE TABLE notify.report_schedules (
  client_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('weekly', 'monthly', 'digest')),
  enabled boolean NOT NULL DEFAULT true,
  -- Five-field cron in the client's time zone (the digest's: `timezone`).
  cron text NOT NULL,
  -- Chosen addresses; NULL: the client's members (the digest: operators and admins).
  recipients jsonb,
  timezone text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, kind)
);

-- One row per report due: the unique key makes every replica's tick agree that a period is sent once.
CREATE TABLE notify.report_runs (
  id bigserial PRIMARY KEY,
  client_id text NOT NULL,
  kind text NOT NULL,
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Whoever is sending it holds it until then: a second job waits, a crashed one's lease runs out and is retried.
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  sent_at timestamptz,
  -- Why the last attempt did not finish (an error code, never a message or an address list).
  error text,
  UNIQUE (client_id, kind, period_start)
);
CREATE INDEX report_runs_unsent ON notify.report_runs (created_at) WHERE sent_at IS NULL;

-- Each recipient of a run once: a retry sends only to those the mailer has not yet accepted.
CREATE TABLE notify.report_deliveries (
  run_id bigint NOT NULL REFERENCES notify.report_runs (id) ON DELETE CASCADE,
  recipient text NOT NULL,
  outbox_id bigint,
  status text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, recipient)
);
