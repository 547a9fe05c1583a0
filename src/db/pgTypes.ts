import pg from 'pg';

/**
 * Number types are fixed once, where connections are made: counts (int8) and numeric aggregates arrive as
 * JavaScript numbers, and timestamps without time zone stay text so the Node process's TZ never shifts them.
 */
const OID = { int8: 20, numeric: 1700, timestamp: 1114 } as const;

export const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.int8 || oid === OID.numeric) return (value: string) => Number(value);
    if (oid === OID.timestamp) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;
