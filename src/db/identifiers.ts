/** Identifiers come from code or validated configuration, never from a request; this quotes them for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Schema-qualified table reference, e.g. `"public"."UserEvents"`. */
export function tableRef(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** PostgreSQL schema names we accept from configuration (Prisma's `?schema=` or the embedded per-client schema). */
export const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;
