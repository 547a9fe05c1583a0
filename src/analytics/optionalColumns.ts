import type { TableInfo } from '../tenants/clientSource.ts';
import { instant, isoUtc } from './sql.ts';

/**
 * Reading optional tables whose columns vary between chatbots. Every name used in SQL comes from the fixed lists
 * here, never from a request; a missing column becomes NULL or "not available", never an error.
 */

/** The first of `candidates` the table has, in the order given. */
export function firstColumn(table: TableInfo, candidates: readonly string[]): string | null {
  return candidates.find((column) => table.columns.has(column)) ?? null;
}

export function isTimestamp(table: TableInfo, column: string): boolean {
  const kind = table.columns.get(column);
  return kind === 'timestamp' || kind === 'timestamptz';
}

/** The column as text, or NULL when the table does not have it. */
export const textOrNull = (table: TableInfo, column: string | null) =>
  column !== null && table.columns.has(column) ? `"${column}"::text` : 'NULL::text';

/** The timestamp column as RFC 3339 UTC text, or NULL when the table lacks it (or it is not a timestamp). */
export const timeOrNull = (table: TableInfo, column: string) =>
  isTimestamp(table, column) ? isoUtc(instant(table, column)) : 'NULL::text';

/** Where a lead came from, in the order we look for it. */
export const LEAD_SOURCE_COLUMNS = ['source', 'utmSource', 'utm_source', 'channel'] as const;

export const leadSourceColumn = (leads: TableInfo) => firstColumn(leads, LEAD_SOURCE_COLUMNS);
