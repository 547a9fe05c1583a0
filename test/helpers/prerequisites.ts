import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';
import { connectClient } from '../../src/db/pool.ts';

/**
 * Everything outside node_modules that the tests use, where they look for it, and how a fresh machine gets it.
 * `npm test` checks all of it first (test/globalSetup.ts) and stops with one message naming what is missing;
 * `.ci/run` installs and starts the same things. The helpers that use each one take its location from here.
 */
type Env = Record<string, string | undefined>;

/** Debian's chromium, driven by playwright-core (never a downloaded browser). `CHROMIUM_PATH` points elsewhere. */
export const chromiumPath = (env: Env = process.env) => env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Installed PostgreSQL majors, newest first (Debian: /usr/lib/postgresql/<major>/bin). */
const installedMajors = () => (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
  .filter((major) => existsSync(`/usr/lib/postgresql/${major}/bin/initdb`)).sort((a, b) => Number(b) - Number(a));

/** Where initdb and pg_ctl are, for the throw-away servers: `PG_MAJOR`'s, else the newest installed, else 15's. */
export const pgBinDir = (env: Env = process.env) => `/usr/lib/postgresql/${env.PG_MAJOR ?? installedMajors()[0] ?? '15'}/bin`;

/** Debian puts pgbouncer in /usr/sbin, which is not on every user's PATH. */
export const pgbouncerCandidates = (env: Env = process.env) =>
  ['/usr/sbin/pgbouncer', ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'pgbouncer'))];

/** The server tests create their databases on (trust auth, user postgres). */
export const adminUrl = (env: Env = process.env) => env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const REDIS = { host: '127.0.0.1', port: 6379 };

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const onPath = (tool: string, env: Env) => (env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, tool)));

/** One missing thing: what it is, why the tests need it, and the command that installs or starts it. */
export interface Missing {
  what: string;
  fix: string;
}

async function checkPostgres(env: Env): Promise<Missing | null> {
  const url = new URL(adminUrl(env));
  const where = `${url.hostname}:${url.port || 5432}`; // never the whole URL: it may carry a password
  try {
    const client = await connectClient({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
    await client.query('SELECT 1').finally(() => client.end());
    return null;
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const clusters = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
    const start = clusters.length > 0 ? `pg_ctlcluster ${clusters.sort().at(-1)} main start`
      : 'apt-get install -y postgresql && pg_ctlcluster "$(ls /etc/postgresql)" main start';
    if (code === '28000' || code === '28P01') {
      return { what: `PostgreSQL at ${where} refuses user postgres (${message})`, fix: 'allow it with trust auth for 127.0.0.1 in pg_hba.conf, or set TEST_DATABASE_URL' };
    }
    return { what: `PostgreSQL at ${where} (user postgres, trust auth) is not answering (${code ?? message})`, fix: start };
  }
}

function checkRedis(env: Env): Promise<Missing | null> {
  const fix = onPath('redis-server', env) ? "redis-server --daemonize yes --save '' --appendonly no"
    : "apt-get install -y redis-server && redis-server --daemonize yes --save '' --appendonly no";
  const missing = { what: `Redis at ${REDIS.host}:${REDIS.port} is not answering (the shared-cache tests)`, fix };
  return new Promise((resolve) => {
    const socket = net.connect(REDIS.port, REDIS.host);
    let reply = '';
    const done = (result: Missing | null) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(3000, () => done(missing));
    socket.on('error', () => done(missing));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') ? null : missing);
    });
  });
}

function checkTools(env: Env): Missing[] {
  const missing: Missing[] = [];
  if (!executable(chromiumPath(env))) {
    missing.push({ what: `chromium at ${chromiumPath(env)} (the browser tests; CHROMIUM_PATH points elsewhere)`, fix: 'apt-get install -y chromium' });
  }
  if (!pgbouncerCandidates(env).some(executable)) {
    missing.push({ what: 'pgbouncer (the PgBouncer test; looked in /usr/sbin and PATH)', fix: 'apt-get install -y pgbouncer' });
  }
  const bin = pgBinDir(env);
  const tools = ['initdb', 'pg_ctl'].filter((tool) => !executable(join(bin, tool)));
  if (tools.length > 0) {
    const others = installedMajors();
    missing.push({
      what: `${tools.join(' and ')} in ${bin} (the tests that stop and restart a PostgreSQL server of their own)`,
      fix: env.PG_MAJOR && others.length > 0 ? `unset PG_MAJOR or set it to ${others.join(' or ')}` : 'apt-get install -y postgresql',
    });
  }
  if (!onPath('psql', env)) missing.push({ what: 'psql (the Compose database init script test)', fix: 'apt-get install -y postgresql-client' });
  // initdb and pgbouncer refuse to run as root: the tests run them as the `postgres` user, which the package creates.
  if (process.getuid?.() === 0 && !/^postgres:/m.test(readFileSync('/etc/passwd', 'utf8'))) {
    missing.push({ what: 'the postgres OS user (initdb and pgbouncer run as it when the tests run as root)', fix: 'apt-get install -y postgresql' });
  }
  return missing;
}

/** Every missing prerequisite; all checks at once, none waits longer than 3 s. */
export async function findMissingPrerequisites(env: Env = process.env): Promise<Missing[]> {
  const [postgres, redis] = await Promise.all([checkPostgres(env), checkRedis(env)]);
  return [postgres, redis, ...checkTools(env)].filter((item): item is Missing => item !== null);
}

/** The one message `npm test` stops with. */
export function prerequisitesMessage(missing: Missing[]): string {
  return [
    `npm test needs ${missing.length === 1 ? 'one more thing' : `${missing.length} more things`} on this machine:`,
    ...missing.map((item) => `  - ${item.what}\n      ${item.fix}`),
    '(as root, or with sudo; `bash .ci/run` installs and starts all of them, then runs npm test)',
  ].join('\n');
}
