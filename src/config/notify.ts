import { readString, type Env, type Problems } from './env.ts';

/** Email: how messages leave (SMTP, or nowhere but the outbox) and whom they come from. */
export interface NotifyConfig {
  /** `SMTP_URL` (smtp:// or smtps://, credentials in it); null: every message stays in the outbox. A secret: never logged. */
  smtpUrl: string | null;
  /** `MAIL_FROM`: the sender of every message, `Name <address>` or a bare address. */
  mailFrom: string;
}

export const DEFAULT_MAIL_FROM = 'Chatbot Analytics <no-reply@localhost>';

const ADDRESS = /^[^@\s<>]+@[^@\s<>]+$/;
const NAMED_ADDRESS = /^[^<>\r\n]*<[^@\s<>]+@[^@\s<>]+>$/;

export function parseNotify(env: Env, production: boolean, problems: Problems): NotifyConfig {
  const smtpUrl = readString(env, 'SMTP_URL') ?? null;
  if (smtpUrl !== null) {
    let valid = false;
    try {
      const url = new URL(smtpUrl);
      valid = (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
    } catch {
      valid = false;
    }
    // Never the value: it holds the SMTP password.
    if (!valid) problems.add('SMTP_URL', 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@mail.example.com:465');
    // Links in emails must not come from a Host header anyone can send (a reset link pointing elsewhere).
    if (production && !readString(env, 'PUBLIC_URL')) problems.add('PUBLIC_URL', 'is required with SMTP_URL when NODE_ENV=production (links in emails are built from it)');
  }
  const mailFrom = readString(env, 'MAIL_FROM') ?? DEFAULT_MAIL_FROM;
  if (!ADDRESS.test(mailFrom) && !NAMED_ADDRESS.test(mailFrom)) problems.add('MAIL_FROM', 'must be an address, or a name and <address>');
  return { smtpUrl, mailFrom };
}
