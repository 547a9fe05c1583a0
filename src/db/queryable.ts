import type { QueryResultRow } from 'pg';

/** The one thing analytics needs from a connection: run SQL with bound parameters. `pg.Pool` and `pg.Client` fit. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}
