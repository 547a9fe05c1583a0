-- Clients managed in the product (see src/tenants/clientStore.ts). Clients from CLIENTS_FILE are not stored here: the
-- file provides them, and wins over a row with the same id. The database URL is never stored in clear:
-- database_url_secret is an envelope { v, kid, wrappedKey, iv, tag, ciphertext } (src/platform/secrets.ts).
CREATE SCHEMA IF NOT EXISTS tenants;

CREATE TABLE tenants.clients (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]+$' AND length(id) <= 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  domain text,
  timezone text NOT NULL,
  -- { primaryColor, logoUrl }
  branding jsonb NOT NULL DEFAULT '{}'::jsonb,
  database_url_secret jsonb,
  -- The schema holding the chatbot's tables (Prisma's ?schema=, taken out of the URL).
  schema text NOT NULL DEFAULT 'public',
  grafana_org_id integer CHECK (grafana_org_id >= 1),
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
