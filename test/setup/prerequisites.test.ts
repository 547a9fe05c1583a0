import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { findMissingPrerequisites, prerequisitesMessage } from '../helpers/prerequisites.ts';

/**
 * `npm test` on a machine that lacks something stops at once with one message naming each missing thing and the
 * command that installs or starts it. Chromium is hidden with CHROMIUM_PATH (the location the check and the browser
 * tests both honour); PG_MAJOR=99 hides initdb and pg_ctl the same way.
 */
const HIDDEN = '/nonexistent/chromium';

describe('the prerequisite check', () => {
  it('names chromium and its install command when chromium is not where the browser tests look', async () => {
    const missing = await findMissingPrerequisites({ ...process.env, CHROMIUM_PATH: HIDDEN });
    expect(missing).toEqual([
      { what: `chromium at ${HIDDEN} (the browser tests; CHROMIUM_PATH points elsewhere)`, fix: 'apt-get install -y chromium' },
    ]);
    expect(prerequisitesMessage(missing)).toBe([
      'npm test needs one more thing on this machine:',
      `  - chromium at ${HIDDEN} (the browser tests; CHROMIUM_PATH points elsewhere)`,
      '      apt-get install -y chromium',
      '(as root, or with sudo; `bash .ci/run` installs and starts all of them, then runs npm test)',
    ].join('\n'));
  });

  it('finds nothing missing on a machine set up like CI', async () => {
    expect(await findMissingPrerequisites()).toEqual([]);
  });

  it('stops the real test command before any test, with one message naming each missing thing', () => {
    // One small file as the filter: were the check ever skipped, this runs that file, not the suite inside itself.
    const run = spawnSync('node_modules/.bin/vitest', ['run', 'test/config/envExample.test.ts'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TEST_DATABASE_URL: process.env.TEST_DATABASE_URL, CHROMIUM_PATH: HIDDEN, PG_MAJOR: '99' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    const message = run.stderr.slice(run.stderr.indexOf('npm test needs'));
    expect(message.trim().split('\n')).toEqual([
      'npm test needs 2 more things on this machine:',
      `  - chromium at ${HIDDEN} (the browser tests; CHROMIUM_PATH points elsewhere)`,
      '      apt-get install -y chromium',
      '  - initdb and pg_ctl in /usr/lib/postgresql/99/bin (the tests that stop and restart a PostgreSQL server of their own)',
      expect.stringMatching(/^ {6}unset PG_MAJOR or set it to \d+( or \d+)*$/), // the majors installed here
      '(as root, or with sudo; `bash .ci/run` installs and starts all of them, then runs npm test)',
    ]);
    expect(run.stdout).not.toContain('Test Files'); // no test ran
  });
});
