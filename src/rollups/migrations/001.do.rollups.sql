-- Rollups of each client's UserEvents (see src/rollups/schema.ts for what each table holds).
-- IF NOT EXISTS: platform databases created before versioned migrations already have these tables.
CREATE SCHEMA IF NOT EXISTS rollups;

CREATE TABLE IF NOT EXISTS rollups.clients (
  client_id text PRIMARY KEY,
  layout text NOT NULL,
  watermark timestamptz,
  tail_start timestamptz NOT NULL,
  built_at timestamptz NOT NULL,
  refreshed_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rollups.buckets (
  client_id text NOT NULL,
  bucket timestamptz NOT NULL,
  sessions integer NOT NULL,
  "pageLoaded" integer NOT NULL,
  "widgetOpened" integer NOT NULL,
  "requestedHuman" integer NOT NULL,
  "pressedAccept" integer NOT NULL,
  "pressedCallback" integer NOT NULL,
  "pressedContinue" integer NOT NULL,
  PRIMARY KEY (client_id, bucket)
);

CREATE TABLE IF NOT EXISTS rollups.sessions (
  client_id text NOT NULL,
  session_id text NOT NULL,
  bucket timestamptz NOT NULL,
  flags smallint NOT NULL,
  PRIMARY KEY (client_id, session_id)
);
