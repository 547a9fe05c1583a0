-- Invitations and password resets (see src/access/invitations.ts): single-use links that expire. Only the SHA-256 of
-- a link's token is stored, so a copy of the table lets nobody in.
CREATE TABLE access.invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purpose text NOT NULL CHECK (purpose IN ('invite', 'reset')),
  token_hash bytea NOT NULL UNIQUE,
  email text NOT NULL,
  -- An invitation: the role and clients the person gets (client id → 'viewer' | 'editor').
  role text CHECK (role IN ('admin', 'operator', 'member')),
  all_clients boolean NOT NULL DEFAULT false,
  clients jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- A reset: whose password it sets (removing the person removes their links).
  user_id uuid REFERENCES access.users (id) ON DELETE CASCADE,
  -- Who created it: a person (null for a key, a token or the person asking for their own reset), and a label.
  invited_by uuid REFERENCES access.users (id) ON DELETE SET NULL,
  invited_by_label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  CHECK ((purpose = 'invite') = (role IS NOT NULL)),
  CHECK ((purpose = 'reset') = (user_id IS NOT NULL))
);
-- At most one unused, unwithdrawn link per address (invitations) and per person (resets): a new one withdraws the
-- earlier ones first, and of two made at the same moment one is retried after the other.
CREATE UNIQUE INDEX invitations_pending_email ON access.invitations (lower(email)) WHERE purpose = 'invite' AND used_at IS NULL AND revoked_at IS NULL;
CREATE UNIQUE INDEX invitations_pending_reset ON access.invitations (user_id) WHERE purpose = 'reset' AND used_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_user ON access.invitations (user_id) WHERE user_id IS NOT NULL;
