import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KEYS, SESSION_SECRET } from './helpers/buildTestApp.ts';
import { LOG_DIR } from './helpers/logCapture.ts';
import { TOKEN_SECRET_PATTERN } from './helpers/apiTokens.ts';
import { SPAWNED_SECRETS } from './helpers/secrets.ts';
import { findMissingPrerequisites, prerequisitesMessage } from './helpers/prerequisites.ts';

/** Patterns no log line may contain: keys and secrets used by the tests, database URLs, credentials in any URL. */
const FORBIDDEN: [string, RegExp][] = [
  ...[...Object.values(KEYS), SESSION_SECRET, ...SPAWNED_SECRETS].map((secret): [string, RegExp] => [
    `the secret ${secret.slice(0, 6)}…`, new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  ]),
  ['a database URL', /postgres(?:ql)?:\/\//i],
  ['a password hash', /\$argon2id\$/],
  ['a URL with a password', /[a-z]+:\/\/[^/\s:@"]+:[^@\s"]+@/i],
  ['a bearer token', /Bearer\s+[A-Za-z0-9._~+/-]{8,}/],
  ['a session cookie', /ca_session=[^;\s"]{8,}/],
  ['an invitation or password-reset link', /\/(?:invitations|password-reset)\/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/],
  ['a signed JWT (an ID or access token)', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./],
  ['a single sign-on code or state', /\/auth\/oidc\/callback\?[^"\s]*\b(?:code|state)=(?!\[redacted\])/],
  ['an API token', TOKEN_SECRET_PATTERN],
  ['a webhook signing secret', /whsec_[A-Za-z0-9_-]{43}/],
];

/** Vitest reports a teardown error but still exits 0: set the exit code ourselves. */
function fail(message: string): never {
  process.exitCode = 1;
  throw new Error(message);
}

let runDir = '';

/** The runtime the platform ships on; `npm test` gets it from the `node` package pinned in package.json. */
const NODE_MAJOR = 24;

/**
 * Before any test: the right Node, and everything outside node_modules the tests use (PostgreSQL, Redis, chromium,
 * pgbouncer, initdb) — one message naming each missing thing and its command, in seconds rather than after a run of
 * failures. Then a fresh folder for this run's logs; test workers inherit its path through the environment.
 */
export async function setup() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < NODE_MAJOR) {
    fail(`the tests run on Node ${process.versions.node}, but the platform ships on Node ${NODE_MAJOR}: run them with \`npm test\` ` +
      '(npm scripts use the node package from package.json), after `npm install`');
  }
  const missing = await findMissingPrerequisites();
  if (missing.length > 0) {
    // Only the message (no stack, no code frame): it is the whole answer, and nothing has started yet.
    process.stderr.write(`\n${prerequisitesMessage(missing)}\n\n`);
    process.exit(1);
  }
  runDir = join(LOG_DIR, `run-${process.pid}-${Date.now()}`);
  rmSync(runDir, { recursive: true, force: true });
  process.env.TEST_LOG_DIR = runDir;
}

/** After the whole run: every captured log line is checked; one leak fails the run. */
export function teardown() {
  if (!runDir) return; // set-up stopped (its message says why): there is nothing to scan
  if (!existsSync(runDir)) fail(`no logs were captured in ${runDir}: the capture is broken`);
  const leaks: string[] = [];
  let lines = 0;
  for (const name of readdirSync(runDir)) {
    readFileSync(join(runDir, name), 'utf8').split('\n').forEach((line, i) => {
      if (!line) return;
      lines++;
      for (const [what, pattern] of FORBIDDEN) if (pattern.test(line)) leaks.push(`${name}:${i + 1} contains ${what}`);
    });
  }
  if (lines === 0) fail('the captured logs are empty: the capture is broken');
  if (leaks.length > 0) fail(`Secrets in the logs of this test run:\n  ${leaks.slice(0, 20).join('\n  ')}`);
  console.log(`log scan: ${lines} captured log lines, no key, password, session or database URL in them`);
  rmSync(runDir, { recursive: true, force: true }); // clean: nothing worth keeping
}
