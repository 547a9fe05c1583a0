-- People, what they may see, and their server-side sessions (see src/access/users.ts, sessions.ts).
CREATE SCHEMA IF NOT EXISTS access;

CREATE TABLE access.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  name text NOT NULL DEFAULT '',
  -- PHC string (argon2id); NULL until an invitation is accepted, or for people who sign in with SSO only.
  password_hash text,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'member')),
  -- Operators: every client (true) or only those in user_clients. Admins always see every client.
  all_clients boolean NOT NULL DEFAULT false,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON access.users (lower(email));

-- Which clients an operator is assigned, or the one client a member belongs to (viewer or editor).
CREATE TABLE access.user_clients (
  user_id uuid NOT NULL REFERENCES access.users (id) ON DELETE CASCADE,
  client_id text NOT NULL,
  client_role text NOT NULL DEFAULT 'viewer' CHECK (client_role IN ('viewer', 'editor')),
  PRIMARY KEY (user_id, client_id)
);
CREATE INDEX user_clients_client ON access.user_clients (client_id);

-- A browser session: only the SHA-256 of its cookie value is stored. Signed in either as a person or with a legacy
-- API key (key_fingerprint: a rotated key ends its sessions).
CREATE TABLE access.sessions (
  id_hash bytea PRIMARY KEY,
  user_id uuid REFERENCES access.users (id) ON DELETE CASCADE,
  key_fingerprint text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CHECK ((user_id IS NULL) <> (key_fingerprint IS NULL))
);
CREATE INDEX sessions_user ON access.sessions (user_id);
