import type { Page } from 'playwright-core';
import type { User } from '../../../src/access/users.ts';
import { buildTestApp, KEYS, runtimeOf, testClient, type TestAppOptions } from '../../helpers/buildTestApp.ts';
import { addPerson, type PersonSpec } from '../../helpers/people.ts';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtpServer.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../../fixtures/sydneyFixture.ts';

/**
 * A real app for the account and settings pages: alpha and beta from the Sydney fixture (each in its own schema of
 * one test database), people in the platform database, optionally a real SMTP server, listening on 127.0.0.1.
 */
export interface AccountsWorld {
  base: string;
  app: Awaited<ReturnType<typeof buildTestApp>>;
  db: TestDatabase;
  smtp: TestSmtp | null;
  /** GET on the API with the admin key: what the pages must show. */
  api<T = any>(path: string): Promise<T>;
  person(spec: PersonSpec): Promise<User>;
  /** A query on the platform database. */
  sql<T = any>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startAccountsWorld(label: string, options: { smtp?: boolean; admin?: boolean; app?: TestAppOptions } = {}): Promise<AccountsWorld> {
  const [db, smtp] = await Promise.all([createTestDatabase(`web_${label}`), options.smtp ? startSmtpServer() : Promise.resolve(null)]);
  await loadSydneyFixture(db.pool, 'alpha', 'timestamp');
  await loadSydneyFixture(db.pool, 'beta', 'timestamp', false);
  const app = await buildTestApp([testClient('alpha', 'Australia/Sydney', db.url, 'alpha'), testClient('beta', 'Australia/Sydney', db.url, 'beta')], {
    admin: options.admin === false ? null : KEYS.admin,
    ...(smtp ? { notify: { smtpUrl: smtp.url, mailFrom: 'Analytics <analytics@agency.example>' } } : {}),
    ...options.app,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base, app, db, smtp,
    async api(path) {
      return (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${KEYS.admin}` } })).json();
    },
    person: (spec) => addPerson(app, spec),
    async sql(text, values) {
      return (await runtimeOf(app).platform.pool.query(text, values)).rows;
    },
    async close() {
      await app.close();
      await smtp?.close();
      await db.drop();
    },
  };
}

/** Waits until the settings page has built itself and none of its parts is loading any more. */
export async function loaded(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('#settings .page') !== null
    && [...document.querySelectorAll<HTMLElement>('.loaded')].every((part) => part.dataset.state !== 'loading'));
}

/** Opens a settings page and waits for it. */
export async function openSettings(page: Page, base: string, name: string, search = ''): Promise<void> {
  await page.goto(`${base}/settings/${name}${search}`);
  await loaded(page);
}

/** The invitation or reset link in an email's text. */
export function linkIn(text: string | undefined, kind: 'invitations' | 'password-reset'): string {
  const link = new RegExp(`https?://[^\\s"<>]+/${kind}/[A-Za-z0-9_-]{43}`).exec(text ?? '')?.[0];
  if (!link) throw new Error(`no ${kind} link in the email`);
  return link;
}

/** Accepts the next confirm() the page asks (a revocation, a removal). */
export const acceptNextDialog = (page: Page) => page.once('dialog', (dialog) => void dialog.accept());
