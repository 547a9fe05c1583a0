import fc from 'fast-check';

/**
 * Hostile inputs for property-based tests. Every arbitrary yields a URL *fragment*: already percent-encoded text, or
 * raw sequences that are deliberately bad (`%C3%28`, `%`, `%00`…) and must reach the server as they are.
 */

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as a browser would send them). */
export function encode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export const INJECTIONS = [
  `'; DROP TABLE "UserEvents"; --`, '1 OR 1=1', `' OR '1'='1`, `" OR ""="`, '1; SELECT pg_sleep(10)--', `'); DELETE FROM "Leads"; --`,
  `1' UNION SELECT "sessionId" FROM "UserEvents"--`, `$1`, `$$ ; TRUNCATE "ChatLog"; $$`, `\\'`, `E'\\x00'`, `'::timestamptz`, '%', '_',
  `"UserEvents"`, 'public."Leads"', `; SET statement_timeout = 1; --`, `/* */ OR /**/ 1=1`,
];

export const ODD_TEXT = [
  '', ' ', '\t', '\r\n', '\u0000', 'a\u0000b', '\u202e', '\uFEFF', '\uD800', '😀', 'ß', 'İ', 'Ω', '\u0301', 'null', 'undefined', 'NaN',
  'Infinity', '-Infinity', '-1', '0', '-0', '1e309', '9007199254740993', '0x10', '1_000', 'true', '[]', '{}', '__proto__', 'constructor',
  '../../etc/passwd', '<script>alert(1)</script>', '{{7*7}}', '${7*7}', '=HYPERLINK("http://x")', '@SUM(1)', '+1', '\\', '*', '..',
];

export const EDGE_DATES = [
  '1900-01-01', '1899-12-31', '9999-12-31', '10000-01-01', '0000-00-00', '0001-01-01', '2024-02-29', '2023-02-29', '2024-02-30',
  '2024-13-01', '2024-00-10', '2024-04-31', '2024-4-1', '24-04-01', '2024-04-07T02:30:00+10:00', '2024-10-06T02:30:00+10:00',
  '2024-01-01T24:00:00Z', '2024-01-01T23:59:60Z', '2024-01-01T00:00:00+24:00', '2024-01-01T00:00:00+23:59', '2024-01-01T00:00:00-00:00',
  '2024-01-01T00:00:00.1234567891Z', '2024-01-01T00:00:00.123456789Z', '+275760-09-13', '-000001-01-01', '275760-09-13T00:00:00Z',
  '1970-01-01T00:00:00Z', '2038-01-19T03:14:08Z', '2024-05-01 00:00:00+00:00', '2024-05-01t00:00:00z', '2024-W18-3', '20240501',
  '2024-05-01T00:00:00', '2024-05-01T00:00Z', '1712534400', 'now', 'today', 'yesterday', 'epoch', 'infinity', '-infinity', 'allballs',
  // what JavaScript's lenient Date.parse reads and PostgreSQL may not
  'x 2', 'Tue Feb 30 2024', '2024-02-30T00:00:00Z', 'June 31, 2024', '1 1 1', 'May 2024 junk 3', '2024-05-01T00:00:00 GMT+99',
];

/** Control and separator characters, dense: NUL, C0, DEL, C1, line separators. */
const CONTROL = ['\u0000', '\u0001', '\u0008', '\u001b', '\u001f', '\u007f', '\u0085', '\u2028', '\u2029', '\ud800', 'a', '1', ' ', '%', "'"];

export const DURATIONS = ['0m', '0', '-5m', '1e9d', 'PT0S', 'P1Y', 'PT-1M', 'P99999999D', '999999999999m', '30 m', '30M', '1.5h', 'P', 'PT'];

export const TIME_ZONES = [
  'UTC', 'utc', 'Etc/GMT+14', 'Etc/GMT-14', 'Etc/GMT+12', '+14:00', 'America/Argentina/ComodRivadavia', 'Antarctica/Troll', 'EST5EDT',
  'GMT0', 'Asia/Kolkata', 'Pacific/Chatham', 'Pacific/Kiritimati', 'America/St_Johns', 'Asia/Kathmandu', 'US/Pacific-New', 'Europe/Kyiv',
  'Factory', 'localtime', 'posixrules', 'right/UTC', 'posix/Europe/London', 'SystemV/EST5', 'Australia/../UTC',
];

/** Sent as they are: bad UTF-8, truncated or invalid escapes, encoded separators, NUL. */
export const RAW_FRAGMENTS = [
  '%C3%28', '%00', '%', '%ZZ', '%E0%A4%A', '%ED%A0%80', '%FF%FE', '%C0%AF', '%2F', '%252F', '%26from%3Db', '+', '%0D%0A', '..%2F..%2F',
  '%u0041', '%%', '%2', '%3B', '%23', '%F4%90%80%80', '%EF%BF%BF', '%E2%80%AE', '%C2%A0',
];

const TEXT = [...INJECTIONS, ...ODD_TEXT, ...EDGE_DATES, ...DURATIONS, ...TIME_ZONES];

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursor-shaped values: base64url JSON, mostly `[date-ish, id]` pairs like the real ones. */
export const cursorish = fc.oneof(
  fc.tuple(
    fc.oneof(fc.constantFrom(...EDGE_DATES), fc.string({ maxLength: 12 })),
    fc.oneof(fc.constantFrom(...TEXT), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...CONTROL), minLength: 1, maxLength: 4 })),
  ).map(base64url),
  fc.jsonValue({ maxDepth: 2 }).map(base64url),
);

/** A hostile value as a URL fragment. */
export const hostileFragment: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TEXT).map(encode) },
  { weight: 3, arbitrary: fc.constantFrom(...RAW_FRAGMENTS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(encode) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...CONTROL), minLength: 1, maxLength: 8 }).map(encode) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }).map(encode) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt()).map((n) => encode(String(n))) },
  { weight: 2, arbitrary: fc.tuple(fc.date({ noInvalidDate: true }), fc.boolean()).map(([d, day]) => encode(day ? d.toISOString().slice(0, 10) : d.toISOString())) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...TEXT), fc.constantFrom(...RAW_FRAGMENTS), fc.constantFrom(...TEXT)).map(([a, raw, b]) => `${encode(a)}${raw}${encode(b)}`) },
  { weight: 2, arbitrary: cursorish },
  // long: around the 4096-character URL limit and the schemas' maxLength values
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '9', 'é', '%00', '😀'), fc.integer({ min: 20, max: 1400 })).map(([c, n]) => (c.startsWith('%') ? c : encode(c)).repeat(n)) },
);

interface ParameterSchema {
  type?: string;
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  anyOf?: ParameterSchema[];
}

/** Values at and just past the edges a parameter's schema declares (lengths, bounds, enum spellings), encoded. */
export function schemaEdges(schema: ParameterSchema): string[] {
  const edges: string[] = [];
  if (schema.maxLength !== undefined) edges.push('a'.repeat(schema.maxLength), 'a'.repeat(schema.maxLength + 1), 'é'.repeat(schema.maxLength));
  if (schema.minLength) edges.push('a'.repeat(schema.minLength - 1));
  if (schema.type === 'integer' || schema.type === 'number') {
    for (const bound of [schema.minimum, schema.maximum]) if (bound !== undefined) edges.push(String(bound - 1), String(bound), String(bound + 1));
    edges.push('1.5', '1e3', '0x1F', ' 1', '1 ', '+1', '-0', '99999999999999999999', '1,2', '');
  }
  for (const value of [schema, ...(schema.anyOf ?? [])].flatMap((s) => s.enum ?? []).map(String)) {
    edges.push(value.toUpperCase(), ` ${value}`, `${value}\u0000`, `${value}${value}`, value.slice(0, -1));
  }
  return edges.map(encode);
}

/** Parameter names nobody declared, or declared ones in disguise (`from[]`, `FROM`). */
export const unknownName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('foo', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'from[]', 'from[0]', 'FROM', 'a.b', '', 'format ')
    .map(encode),
  fc.constantFrom(...RAW_FRAGMENTS),
  fc.string({ unit: 'binary', maxLength: 12 }).map(encode),
);

/** Query-string pieces that are not `name=value` at all. */
export const oddQuerySegments = fc.constantFrom('', '&', '=', '==', 'from', 'from=', '=x', '&&&', '?', 'from=2024-05-01=x');

const HEADER_CHARS = [' ', '\t', ...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))];

/** Values Node accepts in a header (visible ASCII, space, tab): what can reach the app in a real request. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...HEADER_CHARS), maxLength: 120 }),
  fc.constantFrom(...TEXT.filter((t) => /^[\x20-\x7e\t]*$/.test(t))),
  fc.tuple(fc.constantFrom('a', 'Bearer ', ';', ','), fc.integer({ min: 1, max: 20_000 })).map(([c, n]) => c.repeat(n)),
);

export const headerName: fc.Arbitrary<string> = fc.stringMatching(/^x-[a-z0-9-]{1,30}$/);
