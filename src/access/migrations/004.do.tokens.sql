-- API tokens (see src/access/tokens.ts): a person's personal tokens, and service tokens that read one client. Only the
-- SHA-256 of a secret is stored (a copy of the table authenticates nobody); `prefix` is its first 12 characters, to
-- recognise it in a list. Removing a person deletes their personal tokens (ON DELETE CASCADE).
CREATE TABLE access.tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('personal', 'service')),
  -- personal: the owner, whose current role and clients the token has at each use.
  user_id uuid REFERENCES access.users (id) ON DELETE CASCADE,
  -- service: the one client it reads (as a viewer).
  client_id text,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix text NOT NULL CHECK (length(prefix) <= 12),
  secret_hash bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
  created_by uuid REFERENCES access.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  CHECK ((kind = 'personal' AND user_id IS NOT NULL AND client_id IS NULL)
      OR (kind = 'service' AND user_id IS NULL AND client_id IS NOT NULL))
);
CREATE INDEX tokens_user ON access.tokens (user_id);
CREATE INDEX tokens_client ON access.tokens (client_id);
