import pg from 'pg';
import type { Db as IDatabase } from 'pg-boss';

/**
 * pg-boss on the platform's own pool, so jobs spend the same connection budget as everything else on the platform
 * database (the embedded PGlite refuses connections over its limit). pg-boss reads its rows with node-postgres'
 * stock parsers, not our number types; a statement without values goes by the simple protocol, which pg-boss needs
 * for its multi-statement blocks (`BEGIN; … COMMIT`), and so stays on one connection.
 */
export function poolDatabase(pool: pg.Pool): IDatabase {
  return {
    executeSql: (text: string, values?: unknown[]) => pool.query({ text, values: values as unknown[] | undefined, types: pg.types }),
  };
}
