import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, Problems } from '../config/env.ts';
import { parsePlatformConfig } from '../config/platform.ts';
import { createPool } from '../db/pool.ts';
import { migratePlatform, migrationStatus } from '../platform/migrations.ts';

const USAGE = 'usage: npm run migrate [-- --status]';

/**
 * `npm run migrate`: applies the platform database's pending migrations (what a release step runs before replicas
 * start with PLATFORM_MIGRATE=0); `--status` only says where it stands. Safe to run beside running replicas.
 */
async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  let status: boolean;
  try {
    status = parseArgs({ options: { status: { type: 'boolean', default: false } } }).values.status;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const problems = new Problems();
  const platform = parsePlatformConfig(process.env, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  if (!platform.dbUrl) {
    console.error('PLATFORM_DB_URL is not set: without it the platform uses an embedded database that migrates itself at start-up');
    return 1;
  }
  const pool = createPool({ connectionString: platform.dbUrl, max: 1, connectionTimeoutMillis: 10_000, application_name: 'chatbot-analytics-migrate' });
  try {
    if (status) {
      const { current, latest } = await migrationStatus(pool);
      console.log(`platform database at migration ${current} of ${latest}${current < latest ? ': run npm run migrate' : ' (up to date)'}`);
      return 0;
    }
    const report = await migratePlatform(pool);
    for (const m of report.applied) console.log(`applied ${String(m.version).padStart(3, '0')} ${m.name}`);
    console.log(`platform database at migration ${report.current} of ${report.latest}${report.applied.length === 0 ? ' (nothing to do)' : ''}`);
    return 0;
  } finally {
    await pool.end();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  const code = (error as { code?: string }).code;
  console.error(error instanceof ConfigError ? error.message : `migrate failed${code ? ` (${code})` : ''}: ${(error as Error).message}`);
  process.exit(1);
});
