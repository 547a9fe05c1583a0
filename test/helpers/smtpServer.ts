import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** The SMTP password of the test servers that ask for one (the log scan catches it in any URL with a password). */
export const SMTP_PASSWORD = 'smtp-secret-for-the-tests';

export interface TestSmtpOptions {
  /** Refuse every recipient with this SMTP reply code (550: no such mailbox; 451: try again later). */
  refuseRecipients?: number;
  /** Require `user` / SMTP_PASSWORD. */
  auth?: boolean;
  /**
   * Never answer the DATA of the first N messages: the sender waits for the final reply until it goes away (killed),
   * and the message is not accepted — what a real server does with a message whose sender vanished before the 250.
   */
  holdFirst?: number;
  /** Hold (`holdFirst`) only messages to this address; others arrive as usual. */
  holdTo?: string;
  /** Keep `cid:` references in the parsed HTML as sent (mailparser otherwise swaps in data URLs). */
  keepCidLinks?: boolean;
}

export interface TestSmtp {
  /** The URL to give the platform as SMTP_URL (with credentials when the server asks for them). */
  url: string;
  port: number;
  /** Every message that arrived, parsed. */
  messages: ParsedMail[];
  /** How many RCPT TO commands were refused. */
  refused: number;
  /** How many messages' DATA was held open (`holdFirst`). */
  held: number;
  /** Connection errors smtp-server reported (e.g. ECONNRESET from a sender killed mid-DATA), by code. */
  connectionErrors: readonly string[];
  /** Waits until at least `count` messages arrived; returns them. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on a free port of the loopback, reading what arrives with mailparser. */
export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const state = { refused: 0, held: 0, connectionErrors: [] as string[] };
  const server = new SMTPServer({
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === SMTP_PASSWORD) return callback(null, { user: 'mailer' });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      if (options.refuseRecipients) {
        state.refused++;
        return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: options.refuseRecipients }));
      }
      return callback();
    },
    onData(stream, session, callback) {
      const holdable = options.holdTo === undefined || session.envelope.rcptTo.some((r) => r.address === options.holdTo);
      if (holdable && state.held < (options.holdFirst ?? 0)) {
        state.held++;
        stream.resume(); // read, never answered
        return;
      }
      simpleParser(stream, { keepCidLinks: options.keepCidLinks ?? false }).then((mail) => {
        messages.push(mail);
        callback();
      }, (error: Error) => callback(error));
    },
  });
  // A sender killed mid-DATA (the exactly-once tests do it) may reset its connection inside the mail transaction, and
  // smtp-server reports that as the server's 'error' event: unheard, it would be an uncaught exception in the test run.
  server.on('error', (error: Error & { code?: string }) => state.connectionErrors.push(error.code ?? error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  return {
    url: options.auth ? `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`,
    port,
    messages,
    get refused() {
      return state.refused;
    },
    get held() {
      return state.held;
    },
    connectionErrors: state.connectionErrors,
    async waitForMessages(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} messages, ${messages.length} arrived`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `read` (every `intervalMs`) until `done` says its value is ready (for work a request starts and does not wait for). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`not ready after ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
