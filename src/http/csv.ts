import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import type { FastifyRequest } from 'fastify';

/** A metric's answer as rows: what `format=csv` / `Accept: text/csv` returns. */
export interface CsvTable {
  columns: string[];
  rows: unknown[][];
}

/** Spreadsheets run cells that start like a formula; visitor-supplied text (names, messages) must not. */
const FORMULA = /^[=+\-@\t\r]/;
const cell = (value: unknown) => (typeof value === 'string' && FORMULA.test(value) ? `'${value}` : value);

const CAST = { cast: { boolean: (b: boolean) => String(b) } };

export function toCsv(table: CsvTable): string {
  return stringify([table.columns, ...table.rows.map((row) => row.map(cell))], CAST);
}

/** CSV as a stream: the header, then each batch of rows as it comes, so nothing waits for (or holds) the whole table. */
export function csvStream(columns: string[], batches: Iterable<unknown[][]> | AsyncIterable<unknown[][]>): Readable {
  return Readable.from((async function* () {
    yield stringify([columns], CAST);
    for await (const rows of batches) if (rows.length > 0) yield stringify(rows.map((row) => row.map(cell)), CAST);
  })());
}

/** `?format=csv`, or an Accept header that prefers CSV over JSON. */
export function wantsCsv(request: FastifyRequest): boolean {
  const format = (request.query as { format?: string } | undefined)?.format;
  if (format) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /text\/csv/i.test(accept) && !/application\/json/i.test(accept.split(/text\/csv/i)[0]!);
}

/** A UTC instant (RFC 3339) as local time in `zone`, with its offset: what a person reading the export expects. */
export function localTimestamp(utc: string | null, zone: string): string | null {
  return utc === null ? null : DateTime.fromISO(utc, { zone: 'utc' }).setZone(zone).toISO({ suppressMilliseconds: false });
}
