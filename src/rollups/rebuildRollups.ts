import type pg from 'pg';
import type { ConnectionSource } from '../db/transaction.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import { refreshRollups, type RefreshOptions, type RefreshReport } from './refreshRollups.ts';

/**
 * Rebuilds a client's rollup from scratch. Needed after rows were deleted from (or rewritten without bumping
 * `updatedAt` in) the client's database: a deleted row has no `updatedAt` to be found by. Readers keep the old rollup
 * until the rebuild commits.
 */
export function rebuildRollups(
  clientDb: ConnectionSource,
  platformDb: pg.Pool,
  clientId: string,
  source: ClientSource,
  opts: Omit<RefreshOptions, 'rebuild'> = {},
): Promise<RefreshReport> {
  return refreshRollups(clientDb, platformDb, clientId, source, { ...opts, rebuild: true });
}
