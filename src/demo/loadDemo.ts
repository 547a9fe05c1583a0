import type { ClientTable } from '../tenants/clientTables.ts';
import type { Queryable } from '../db/queryable.ts';
import type { DemoClient } from './demoTypes.ts';
import { generateDemoData } from './generateDemoData.ts';
import type { DemoScenario } from './scenarios.ts';
import { createClientTables, demoRowCounts, insertDemoData } from './insertDemoData.ts';

export interface DemoClientTarget extends DemoClient {
  /** Each client gets its own schema; every statement is schema-qualified (PGlite shares one session). */
  schema: string;
}

export interface LoadDemoOptions {
  /** Local days of history, today included (default 60). */
  days?: number;
  now?: Date;
  /** Trouble written into some clients' data, by client id (the demo runtime's `DEMO_SCENARIOS`). */
  scenarios?: Readonly<Record<string, DemoScenario>>;
  log?: (message: string) => void;
}

export interface LoadedDemoClient {
  id: string;
  schema: string;
  rows: Record<ClientTable, number>;
  ms: number;
}

/** Fills a fresh (embedded) database with generated data, one schema per client. */
export async function loadDemoClients(
  db: Queryable,
  clients: readonly DemoClientTarget[],
  opts: LoadDemoOptions = {},
): Promise<LoadedDemoClient[]> {
  const days = opts.days ?? 60;
  const now = opts.now ?? new Date();
  const loaded: LoadedDemoClient[] = [];
  for (const client of clients) {
    const started = Date.now();
    const data = generateDemoData(client, { days, now, scenario: opts.scenarios?.[client.id] });
    await createClientTables(db, client.schema);
    await insertDemoData(db, client.schema, data);
    const rows = demoRowCounts(data);
    const ms = Date.now() - started;
    opts.log?.(
      `demo data for ${client.id} (schema "${client.schema}", ${days} days): ` +
        `${Object.entries(rows).map(([table, n]) => `${table} ${n}`).join(', ')} in ${ms} ms`,
    );
    loaded.push({ id: client.id, schema: client.schema, rows, ms });
  }
  return loaded;
}
