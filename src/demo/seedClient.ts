import { CLIENT_TABLES } from '../tenants/clientTables.ts';
import { tableRef } from '../db/identifiers.ts';
import type { Queryable } from '../db/queryable.ts';
import type { DemoClient } from './demoTypes.ts';
import { generateDemoData } from './generateDemoData.ts';
import { createClientTables, demoRowCounts, insertDemoData } from './insertDemoData.ts';

export interface SeedOptions {
  days: number;
  sessionsPerDay?: number;
  /** Delete the rows already in the four chatbot tables instead of refusing. */
  force: boolean;
  log: (message: string) => void;
  now?: Date;
}

/**
 * Puts generated demo data into a client's database (`npm run seed`). It never mixes demo rows with real ones:
 * a table that already holds rows stops it unless `force`, which empties the four tables first.
 */
export async function seedClient(db: Queryable, schema: string, client: DemoClient, opts: SeedOptions): Promise<void> {
  await createClientTables(db, schema);

  const occupied: string[] = [];
  for (const table of CLIENT_TABLES) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${tableRef(schema, table)}`);
    const n = rows[0]?.n ?? 0;
    if (n > 0) occupied.push(`${tableRef(schema, table)} already holds ${n} rows`);
  }
  if (occupied.length > 0 && !opts.force) {
    throw new Error(
      `Refusing to seed client "${client.id}": ${occupied.join('; ')}. ` +
        'Seeding would mix generated data with existing rows. Re-run with --force to DELETE all rows in ' +
        `${CLIENT_TABLES.join(', ')} of schema "${schema}" first.`,
    );
  }
  if (occupied.length > 0) {
    opts.log(`--force: deleting existing rows (${occupied.join('; ')})`);
    for (const table of CLIENT_TABLES) await db.query(`DELETE FROM ${tableRef(schema, table)}`);
  }

  const data = generateDemoData(client, { days: opts.days, sessionsPerDay: opts.sessionsPerDay, now: opts.now });
  const counts = demoRowCounts(data);
  opts.log(
    `seeding client "${client.id}" into schema "${schema}": ${opts.days} days, ` +
      `${Object.entries(counts).map(([table, n]) => `${table} ${n}`).join(', ')}`,
  );
  await insertDemoData(db, schema, data, (table, done, total) => opts.log(`${table} ${done}/${total}`));
  opts.log(`seeded client "${client.id}"`);
}
