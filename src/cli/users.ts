import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, Problems } from '../config/env.ts';
import { parsePlatformConfig } from '../config/platform.ts';
import { createPool } from '../db/pool.ts';
import { recordAudit } from '../access/audit.ts';
import { hashPassword, passwordProblem } from '../access/passwords.ts';
import { CLIENT_ROLES, ROLES, type ClientRole, type Role } from '../access/principal.ts';
import { endSessionsOf } from '../access/sessions.ts';
import { activeAdmins, createUser, deleteUser, listUsers, setPasswordHash, userWithHashByEmail } from '../access/users.ts';
import { migratePlatform } from '../platform/migrations.ts';
import type { Queryable } from '../db/queryable.ts';

const USAGE = `usage: npm run users -- <command>
  list
  add --email E --role admin|operator|member [--name N] [--client ID[:editor]]... [--all-clients] [--password-stdin]
  reset-password --email E [--password-stdin]   (without --password-stdin a strong password is made and printed once)
  remove --email E`;

class UsageError extends Error {}
const SHELL = { kind: 'user' as const, id: null, label: 'npm run users (a shell on the server)' };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function newPassword(email: string, fromStdin: boolean): Promise<{ password: string; shown: boolean }> {
  const password = fromStdin ? await readStdin() : randomBytes(18).toString('base64url');
  const problem = passwordProblem(password, [email]);
  if (problem) throw new UsageError(`the password ${problem}`);
  return { password, shown: !fromStdin };
}

function parseClients(values: string[] = []): Record<string, ClientRole> {
  return Object.fromEntries(values.map((value) => {
    const [id, role = 'viewer'] = value.split(':');
    if (!id || !/^[a-z0-9-]+$/.test(id)) throw new UsageError(`--client: "${value}" is not a client id`);
    if (!CLIENT_ROLES.includes(role as ClientRole)) throw new UsageError(`--client: role "${role}" is not viewer or editor`);
    return [id, role as ClientRole];
  }));
}

const COMMANDS = ['list', 'add', 'reset-password', 'remove'];

async function run(db: Queryable, command: string | undefined, args: string[]): Promise<string> {
  if (!command || !COMMANDS.includes(command)) throw new UsageError(`unknown command "${command ?? ''}"`);
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, client: { type: 'string', multiple: true },
      'all-clients': { type: 'boolean', default: false }, 'password-stdin': { type: 'boolean', default: false },
    },
  });
  if (command === 'list') {
    const rows = (await listUsers(db)).map((u) => `${u.email}\t${u.role}${u.allClients ? ' (all clients)' : ''}\t${Object.entries(u.clients).map(([c, r]) => `${c}:${r}`).join(',') || '-'}${u.disabled ? '\tdisabled' : ''}`);
    return rows.length > 0 ? rows.join('\n') : 'nobody yet';
  }
  if (!values.email) throw new UsageError('--email is required');
  const email = values.email;
  if (command === 'add') {
    const role = values.role as Role;
    if (!ROLES.includes(role)) throw new UsageError('--role must be admin, operator or member');
    const clients = parseClients(values.client);
    if (role === 'member' && Object.keys(clients).length !== 1) throw new UsageError('a member belongs to exactly one --client');
    const secret = values['password-stdin'] ? await newPassword(email, true) : null;
    const user = await createUser(db, {
      email, name: values.name ?? '', role, allClients: role === 'operator' && values['all-clients'], clients,
      passwordHash: secret ? await hashPassword(secret.password) : null,
    });
    if (!user) throw new UsageError(`${email} already has an account`);
    await recordAudit(db, SHELL, null, { action: 'person-created', target: user.email, details: { role } });
    return `added ${user.email} (${role})${secret ? '' : ': no password yet — invite them from the product, or run reset-password'}`;
  }
  const found = await userWithHashByEmail(db, email);
  if (!found) throw new UsageError(`nobody has the email ${email}`);
  if (command === 'reset-password') {
    const { password, shown } = await newPassword(email, values['password-stdin']);
    await setPasswordHash(db, found.user.id, await hashPassword(password));
    const ended = await endSessionsOf(db, found.user.id);
    await recordAudit(db, SHELL, null, { action: 'password-reset', target: found.user.email, details: { sessionsEnded: ended } });
    return shown ? `new password for ${found.user.email} (shown once): ${password}` : `password of ${found.user.email} changed; ${ended} session(s) ended`;
  }
  if (found.user.role === 'admin' && (await activeAdmins(db)) <= 1) throw new UsageError('the last admin cannot be removed');
  await deleteUser(db, found.user.id);
  await recordAudit(db, SHELL, null, { action: 'person-removed', target: found.user.email });
  return `removed ${found.user.email}`;
}

/** `npm run users`: people from a shell on the server, against PLATFORM_DB_URL (migrated first if it is behind). */
async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  const [command, ...args] = process.argv.slice(2);
  const problems = new Problems();
  const platform = parsePlatformConfig(process.env, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  if (!platform.dbUrl) {
    console.error('PLATFORM_DB_URL is not set: the embedded platform database lives inside the running server (and starts empty); set it to manage people from a shell');
    return 1;
  }
  const pool = createPool({ connectionString: platform.dbUrl, max: 1, connectionTimeoutMillis: 10_000, application_name: 'chatbot-analytics-users' });
  try {
    await migratePlatform(pool);
    console.log(await run(pool, command, args));
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${(error as Error).message}\n${USAGE}`);
      return 1;
    }
    throw error;
  } finally {
    await pool.end();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  const code = (error as { code?: string }).code;
  console.error(error instanceof ConfigError ? error.message : `users failed${code ? ` (${code})` : ''}: ${(error as Error).message}`);
  process.exit(1);
});
