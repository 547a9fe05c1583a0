import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { describeSource } from '../tenants/clientSource.ts';
import { existingIndex, recommendedIndexes, tableStats } from '../analytics/indexAdvice.ts';
import { connectClient } from '../db/pool.ts';

const USAGE = 'usage: npm run doctor -- --client <id>';

/** `npm run doctor`: checks a client database for the indexes and statistics the platform's queries need. */
async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  const { values } = parseArgs({ options: { client: { type: 'string' } } });
  const config = loadConfig();
  const client = config.clients.find((c) => c.id === values.client);
  if (!client) return fail(`${values.client ? `unknown client "${values.client}"` : '--client is required'}\n${USAGE}`);
  if (!client.database) return fail(`client "${client.id}" has no database URL; set the variable its dbUrl names`);

  const db = await connectClient({ connectionString: client.database.url, connectionTimeoutMillis: config.db.connectTimeoutMs });
  try {
    const source = await describeSource(db, client.database.schema);
    if (!source.tables.UserEvents) return fail(`schema "${source.schema}" has no "UserEvents" table`);
    console.log(`Client "${client.id}", schema "${source.schema}"\n\nTables:`);
    for (const t of await tableStats(db, source.schema)) {
      const stale = t.lastAnalyzed === null ? '  ← never analysed: run ANALYZE' : '';
      console.log(`  ${t.table.padEnd(16)} ~${t.estimatedRows.toLocaleString('en')} rows, ${t.deadRows.toLocaleString('en')} dead, analysed ${t.lastAnalyzed ?? 'never'}${stale}`);
    }
    const missing: string[] = [];
    console.log('\nIndexes:');
    for (const item of recommendedIndexes(source)) {
      const found = await existingIndex(db, source, item);
      console.log(`  ${found ? 'ok     ' : 'MISSING'} ${item.table}: ${item.why}${found ? ` (${found})` : ''}`);
      if (!found) missing.push(item.create);
    }
    console.log(missing.length === 0
      ? '\nEvery index the queries need is there.'
      : `\nCreate the missing indexes (CONCURRENTLY: the chatbot keeps writing meanwhile; run them one at a time):\n\n${missing.join('\n')}\n`);
    return 0;
  } finally {
    await db.end();
  }
}

function fail(message: string): number {
  console.error(message);
  return 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `doctor failed: ${(error as Error).message}`);
  process.exit(1);
});
