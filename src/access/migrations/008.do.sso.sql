-- Single sign-on (see src/access/sso.ts): who a person is at an OpenID Connect provider. A sign-in finds the person by
-- (issuer, subject) first, so an email changed at the provider never signs someone into another person's account;
-- a person has at most one identity per issuer, so a different subject claiming a linked person's email is refused.
CREATE TABLE access.user_identities (
  user_id uuid NOT NULL REFERENCES access.users (id) ON DELETE CASCADE,
  issuer text NOT NULL,
  subject text NOT NULL,
  -- The email the provider asserted when the identity was linked (for admins; sign-ins never match on it).
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject),
  UNIQUE (user_id, issuer)
);
