import type { Queryable } from '../db/queryable.ts';

/** One client's rollups: seconds since they were last refreshed, by the platform database's own clock. */
export interface RollupLagRow {
  clientId: string;
  lagSeconds: number;
}

/** One small indexed read (a row per client), cheap enough for every scrape. */
export async function getRollupLag(platform: Queryable): Promise<RollupLagRow[]> {
  const { rows } = await platform.query<RollupLagRow>(
    `SELECT client_id AS "clientId", EXTRACT(EPOCH FROM (now() - refreshed_at))::float8 AS "lagSeconds" FROM rollups.clients`,
  );
  return rows;
}
