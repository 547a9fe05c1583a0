-- Every email the platform sends, or would send (see src/notify/mailer.ts). Without SMTP_URL (and always with demo
-- data) messages are kept here only ('outbox-only'). Links that sign someone in (invitations, password resets) are
-- never stored: they are replaced by "[link removed]" before the row is written, because every admin reads this.
CREATE SCHEMA IF NOT EXISTS notify;

CREATE TABLE notify.outbox (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  "to" text NOT NULL,
  subject text NOT NULL,
  text text NOT NULL,
  html text,
  -- Names, types and sizes of the attachments (their content is not kept).
  attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- A credential (a link) was taken out of text and html before they were stored.
  links_removed boolean NOT NULL DEFAULT false,
  status text NOT NULL CHECK (status IN ('sent', 'failed', 'outbox-only')),
  -- Why sending failed: nodemailer's error code and the SMTP reply code (e.g. "EENVELOPE 550"), never a message or URL.
  error text,
  attempts integer NOT NULL DEFAULT 0,
  sent_at timestamptz
);
