import { describeSource } from '../src/tenants/clientSource.ts';
import { originOf } from '../src/tenants/clientDatabases.ts';
import { pgTypes } from '../src/db/pgTypes.ts';
import { openPlatformDatabase } from '../src/platform/platformDatabase.ts';
import { refreshRollups, type RefreshReport } from '../src/rollups/index.ts';
import { fmtInt, say } from './log.ts';
import { createPool } from '../src/db/pool.ts';

export interface RefreshTiming {
  ms: number;
  report: RefreshReport;
}

/** A client's rollup refresher in this process. */
export interface RollupRefresh {
  refresh(label: string): Promise<RefreshTiming>;
  close(): Promise<void>;
}

/** A client's rollup refresher in this process: `refreshRollups` of src/rollups into the migrated platform database. */
export async function openRollupRefresh(clientDbUrl: string, platformUrl: string, clientId: string): Promise<RollupRefresh | { unavailable: string }> {
  const clientDb = createPool({ connectionString: clientDbUrl, max: 2, types: pgTypes, application_name: 'chatbot-analytics-bench' });
  const platform = await openPlatformDatabase({ url: platformUrl, migrate: true, waitSeconds: 0 });
  return {
    async refresh(label) {
      // The origin as the API describes it: a rollup is only read by a process that sees the same layout.
      const source = { ...(await describeSource(clientDb, 'public')), origin: originOf(clientDbUrl) };
      let shown = 0;
      const started = performance.now();
      const report = await refreshRollups(clientDb, platform.pool, clientId, source, {
        statementTimeoutMs: 3_600_000,
        onProgress: ({ rowsRead, estimate }) => {
          if (rowsRead - shown < 1_000_000) return;
          shown = rowsRead;
          say(`    ${label}: ${fmtInt(rowsRead)}${estimate ? ` / ~${fmtInt(estimate)}` : ''} rows read`);
        },
      });
      return { ms: performance.now() - started, report };
    },
    async close() {
      await Promise.allSettled([clientDb.end(), platform.close()]);
    },
  };
}
