import type { Logger } from 'pino';
import { Access } from '../access/access.ts';
import type { KeyRing } from '../access/apiKeys.ts';
import { hashPassword, passwordProblem } from '../access/passwords.ts';
import { countUsers, createUser } from '../access/users.ts';
import type { AppConfig } from '../config/loadConfig.ts';
import type { PlatformDatabase } from '../platform/platformDatabase.ts';

/**
 * Accounts at start-up: the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when nobody exists yet, and a loud warning
 * when the platform is open (demo data, or no key and no person configured).
 */
export async function startAccess(config: AppConfig, platform: PlatformDatabase, keys: KeyRing, log: Logger): Promise<Access> {
  const sessions = { idleMs: config.access.sessionIdleHours * 3_600_000, absoluteMs: config.access.sessionMaxDays * 86_400_000 };
  const access = new Access(platform.pool, keys, sessions, config.demo);
  const admin = config.access.bootstrapAdmin;
  if (admin && (await countUsers(platform.pool)) === 0) {
    const problem = passwordProblem(admin.password, [admin.email]);
    if (problem) throw new Error(`ADMIN_PASSWORD ${problem}`);
    await createUser(platform.pool, {
      email: admin.email, name: 'Admin', role: 'admin', allClients: true, clients: {}, passwordHash: await hashPassword(admin.password),
    });
    log.warn({ email: admin.email }, 'created the first admin from ADMIN_EMAIL (no person existed yet)');
  }
  await access.refresh();
  if (access.isOpen()) {
    log.warn(config.demo
      ? 'Demo data: anyone who can reach this server is signed in as the demo admin'
      : 'No ADMIN_API_KEY, <CLIENT>_API_KEY or person is configured: the API is OPEN to anyone who can reach it');
  }
  return access;
}
