-- Session durations in rollups (see src/rollups/durationSketch.ts): each session's exact duration, so a changed one
-- is noticed, and per UTC day a mergeable log-bucket sketch of them (count and exact sum per bin).
ALTER TABLE rollups.sessions ADD COLUMN IF NOT EXISTS duration_seconds float8;

CREATE TABLE IF NOT EXISTS rollups.duration_days (
  client_id text NOT NULL,
  day timestamptz NOT NULL,
  bin smallint NOT NULL,
  sessions integer NOT NULL,
  seconds float8 NOT NULL,
  PRIMARY KEY (client_id, day, bin)
);
