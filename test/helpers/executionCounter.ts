import type { TestDatabase } from './testDatabase.ts';

/**
 * Makes the database count how often the funnel's SQL really runs: `UserEvents` becomes a view over the data that
 * takes one value of a sequence per execution. The platform reads in READ ONLY transactions, where nextval() is
 * refused, so the value is taken over a dblink connection of its own (a transaction that may write).
 * Returns a function that reads the count.
 */
export async function countExecutions(database: TestDatabase, sleepSeconds = 0): Promise<() => Promise<number>> {
  const own = new URL(database.url);
  const conninfo = `host=${own.hostname} port=${own.port || 5432} user=${decodeURIComponent(own.username) || 'postgres'} dbname=${database.name}`;
  await database.pool.query(`CREATE EXTENSION IF NOT EXISTS dblink;
    ALTER TABLE "UserEvents" RENAME TO "UserEventsData";
    CREATE SEQUENCE executions;
    CREATE VIEW "UserEvents" AS SELECT d.* FROM "UserEventsData" d,
      (SELECT n, pg_sleep(${Number(sleepSeconds)}) FROM dblink('${conninfo}', 'SELECT nextval(''executions'')') AS t(n bigint)) AS counted`);
  return async () =>
    Number((await database.pool.query('SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM executions')).rows[0].n);
}
