-- Who did what, when, from where (see src/access/audit.ts). Never holds a secret: callers pass named fields only.
CREATE TABLE access.audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_kind text NOT NULL,
  actor_id text,
  actor_label text NOT NULL,
  ip text,
  action text NOT NULL,
  target text,
  client_id text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_at ON access.audit (at DESC, id DESC);
CREATE INDEX audit_client ON access.audit (client_id, at DESC);
