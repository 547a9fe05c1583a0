import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describeSource, type ClientSource } from '../src/tenants/clientSource.ts';
import { pgTypes } from '../src/db/pgTypes.ts';
import { fmtInt, say } from './log.ts';
import { createPool } from '../src/db/pool.ts';

/** What the harness needs from `src/rollups` (its `index.ts`); the module is optional until rollups land. */
interface RefreshReport {
  mode: string;
  rowsRead: number;
  sessionsChanged?: number;
  bucketsTouched?: number;
}
interface RollupsModule {
  openPlatformDatabase(url: string | null): Promise<{ pool: pg.Pool; close(): Promise<void> }>;
  refreshRollups(
    clientDb: pg.Pool,
    platformDb: pg.Pool,
    clientId: string,
    source: ClientSource,
    opts?: { onProgress?: (p: { rowsRead: number; estimate: number | null }) => void },
  ): Promise<RefreshReport>;
}

const MODULE = new URL('../src/rollups/index.ts', import.meta.url);

export interface RefreshTiming {
  ms: number;
  report: RefreshReport;
}

/** A client's rollup refresher in this process, or null (with the reason) when `src/rollups` has no `refreshRollups`. */
export interface RollupRefresh {
  refresh(label: string): Promise<RefreshTiming>;
  close(): Promise<void>;
}

export async function openRollupRefresh(clientDbUrl: string, platformUrl: string, clientId: string): Promise<RollupRefresh | { unavailable: string }> {
  if (!existsSync(fileURLToPath(MODULE))) return { unavailable: 'src/rollups/index.ts does not exist' };
  const rollups = (await import(MODULE.href)) as Partial<RollupsModule>;
  if (typeof rollups.refreshRollups !== 'function' || typeof rollups.openPlatformDatabase !== 'function') {
    return { unavailable: 'src/rollups does not export refreshRollups and openPlatformDatabase' };
  }
  const { refreshRollups, openPlatformDatabase } = rollups as RollupsModule;
  const clientDb = createPool({ connectionString: clientDbUrl, max: 2, types: pgTypes, application_name: 'chatbot-analytics-bench' });
  const platform = await openPlatformDatabase(platformUrl);
  return {
    async refresh(label) {
      const source = await describeSource(clientDb, 'public');
      let shown = 0;
      const started = performance.now();
      const report = await refreshRollups(clientDb, platform.pool, clientId, source, {
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
