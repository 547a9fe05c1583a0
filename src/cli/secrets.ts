import { config as loadDotenv } from 'dotenv';
import { ConfigError, Problems } from '../config/env.ts';
import { parsePlatformConfig } from '../config/platform.ts';
import { parseSecrets } from '../config/secrets.ts';
import { createPool } from '../db/pool.ts';
import { migrationStatus } from '../platform/migrations.ts';
import { SecretBox } from '../platform/secrets.ts';
import { rotateClientSecrets, secretsByKey } from '../tenants/clientStore.ts';

const USAGE = `usage: npm run secrets -- <command>
  status   how many stored values each key in ENCRYPTION_KEYS wraps
  rotate   re-encrypt every stored value under the current key (the first in ENCRYPTION_KEYS); safe to re-run`;

/**
 * `npm run secrets`: the encrypted values in the platform database (client database URLs). To rotate: put the new key
 * first in ENCRYPTION_KEYS on every replica (the old one after it), run `rotate`, then remove the old key.
 */
async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  const [command, ...rest] = process.argv.slice(2);
  if ((command !== 'rotate' && command !== 'status') || rest.length > 0) {
    console.error(`${command ? `unknown command "${[command, ...rest].join(' ')}"` : 'no command'}\n${USAGE}`);
    return 1;
  }
  const problems = new Problems();
  const platform = parsePlatformConfig(process.env, problems);
  const secrets = parseSecrets(process.env, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  if (!platform.dbUrl) {
    console.error('PLATFORM_DB_URL is not set: the embedded platform database lives inside the running server (and starts empty, its key with it); nothing to rotate');
    return 1;
  }
  if (secrets.keys.length === 0) {
    console.error('ENCRYPTION_KEYS is not set: it names the key to encrypt under (first) and the keys that still decrypt');
    return 1;
  }
  const box = new SecretBox(secrets.keys);
  const pool = createPool({ connectionString: platform.dbUrl, max: 1, connectionTimeoutMillis: 10_000, application_name: 'chatbot-analytics-secrets' });
  try {
    const { current, latest } = await migrationStatus(pool);
    if (current < latest) {
      console.error(`the platform database is at migration ${current} of ${latest}: run npm run migrate first`);
      return 1;
    }
    if (command === 'status') {
      const counts = await secretsByKey(pool);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const parts = Object.entries(counts).map(([kid, n]) => `${n} under "${kid}"${kid === box.currentKid ? ' (current)' : box.kids.includes(kid) ? '' : ' (NOT in ENCRYPTION_KEYS)'}`);
      console.log(`${total} encrypted value(s)${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`);
      return 0;
    }
    const report = await rotateClientSecrets(pool, box);
    console.log(`re-encrypted ${report.rotated} value(s) under key "${box.currentKid}"; ${report.current} already under it`);
    for (const failure of report.failed) console.error(`client "${failure.clientId}": ${failure.message}`);
    if (report.failed.length > 0) {
      console.error(`${report.failed.length} value(s) could not be re-encrypted: add the key(s) they name to ENCRYPTION_KEYS and run again`);
      return 1;
    }
    return 0;
  } finally {
    await pool.end();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  const code = (error as { code?: string }).code;
  console.error(error instanceof ConfigError ? error.message : `secrets failed${code ? ` (${code})` : ''}: ${(error as Error).message}`);
  process.exit(1);
});
