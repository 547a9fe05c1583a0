/**
 * Hostile request bodies built from an operation's documented body schema (OpenAPI 3.0, as `/openapi.json` has
 * it) and one valid body: each case breaks one thing — a field's type, a required field gone, a field nobody
 * declared, a string too long or holding control characters, the JSON itself, its size or its content type — and
 * says what the answer must be and which field its message must name.
 */
export interface Schema {
  type?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  maxLength?: number;
  maxItems?: number;
}

export interface BodyCase {
  name: string;
  /** The bytes sent (null: no body at all) and their Content-Type (null: none). */
  text: string | null;
  contentType: string | null;
  statuses: number[];
  /** What the error message must name: the field's path, or the body itself. */
  names: RegExp;
}

/** Just over the app's 64 KiB body limit. */
export const OVER_BODY_LIMIT = 70 * 1024;
const JSON_TYPE = 'application/json';
const BODY = /\bbody\b/i;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The message starts with the field's path (`branding.logoUrl: …`), or with `also` (another name for it). */
export const naming = (path: string, also?: string) => new RegExp(`^(?:${escape(path)}${also ? `|${escape(also)}` : ''})(?:[.:\\s]|$)`);

const jsonCase = (name: string, body: unknown, statuses: number[], names: RegExp): BodyCase =>
  ({ name, text: JSON.stringify(body), contentType: JSON_TYPE, statuses, names });

function typesOf(schema: Schema): Set<string> {
  const types = new Set<string>();
  for (const branch of [schema, ...(schema.anyOf ?? [])]) if (branch.type) types.add(branch.type);
  if (schema.nullable || schema.anyOf?.some((branch) => branch.nullable || branch.type === 'null')) types.add('null');
  if (types.has('number')) types.add('integer');
  return types;
}

const jsonTypeOf = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;

const WRONG_VALUES: [string, unknown][] = [
  ['a number', 12345], ['a fraction', 1.5], ['true', true], ['null', null], ['an array', ['admin']], ['an object', { role: 'admin' }], ['a string', 'true'],
];
const CONTROL: [string, string][] = [['a NUL byte', 'a\u0000b'], ['a newline', 'first\nsecond'], ['an escape sequence', 'red\u001b[31m'], ['a DEL', 'del\u007f']];

function withValue(body: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const inner = (body[head!] ?? {}) as Record<string, unknown>;
  return { ...body, [head!]: rest.length === 0 ? value : withValue(typeof inner === 'object' && inner !== null ? inner : {}, rest, value) };
}

function without(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _gone, ...rest } = body;
  return rest;
}

/** Cases for one field (and, in objects, the fields inside it). */
function fieldCases(valid: Record<string, unknown>, path: string[], schema: Schema): BodyCase[] {
  const name = path.join('.');
  const cases: BodyCase[] = [];
  const accepted = typesOf(schema);
  for (const [label, value] of WRONG_VALUES) {
    if (!accepted.has(jsonTypeOf(value))) cases.push(jsonCase(`${name}: ${label}`, withValue(valid, path, value), [400], naming(name)));
  }
  if (accepted.has('string')) {
    if (schema.maxLength !== undefined) cases.push(jsonCase(`${name}: ${schema.maxLength + 1} characters`, withValue(valid, path, 'a'.repeat(schema.maxLength + 1)), [400], naming(name)));
    for (const [label, value] of CONTROL) cases.push(jsonCase(`${name}: ${label}`, withValue(valid, path, value), [400], naming(name)));
    cases.push(jsonCase(`${name}: a string larger than the body limit`, withValue(valid, path, 'x'.repeat(OVER_BODY_LIMIT)), [413], BODY));
  }
  if (accepted.has('object') && schema.properties) {
    for (const [inner, innerSchema] of Object.entries(schema.properties)) cases.push(...fieldCases(valid, [...path, inner], innerSchema));
    if (schema.additionalProperties === false) {
      cases.push(jsonCase(`${name}: a field nobody declared`, withValue(valid, [...path, 'unexpected'], 1), [400], naming(`${name}.unexpected`)));
    }
  } else if (accepted.has('object') && typeof schema.additionalProperties === 'object') {
    // A record (client id → role): wrong values, and keys with control characters.
    cases.push(jsonCase(`${name}: a value of the wrong type`, withValue(valid, path, { alpha: 7 }), [400], naming(name)));
    cases.push(jsonCase(`${name}: a key with a NUL byte`, withValue(valid, path, { 'al\u0000pha': 'viewer' }), [400], naming(name)));
  }
  if (accepted.has('array') && schema.items) {
    const wrongItem = schema.items.type === 'string' || schema.items.type === undefined ? 7 : 'seven'; // numbers are wrong only where text is due
    cases.push(jsonCase(`${name}: an item of the wrong type`, withValue(valid, path, [wrongItem]), [400], naming(`${name}.0`)));
    cases.push(jsonCase(`${name}: an item with a NUL byte`, withValue(valid, path, ['al\u0000pha']), [400], naming(`${name}.0`)));
    if (schema.maxItems !== undefined) {
      cases.push(jsonCase(`${name}: ${schema.maxItems + 1} items`, withValue(valid, path, Array.from({ length: schema.maxItems + 1 }, (_, i) => `c${i}`)), [400], naming(name)));
    }
  }
  return cases;
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Every structural case for an operation that takes `schema`, around `valid`. */
export function structuralCases(schema: Schema, valid: Record<string, unknown>): BodyCase[] {
  const text = JSON.stringify(valid);
  const spliced = (extra: string) => `{${extra},${text.slice(1)}`;
  const cases: BodyCase[] = [
    { name: 'invalid JSON', text: text.slice(0, -1), contentType: JSON_TYPE, statuses: [400], names: BODY },
    { name: 'an empty body that says it is JSON', text: '', contentType: JSON_TYPE, statuses: [400], names: BODY },
    { name: 'no body at all', text: null, contentType: null, statuses: [400], names: BODY },
    ...['null', '[]', '"text"', '42', 'true'].map((json): BodyCase => ({ name: `the body ${json}`, text: json, contentType: JSON_TYPE, statuses: [400], names: BODY })),
    { name: 'the fields as text/plain', text, contentType: 'text/plain', statuses: [415], names: BODY },
    { name: 'the fields as a form', text: new URLSearchParams(Object.entries(valid).map(([k, v]) => [k, String(v)])).toString(), contentType: 'application/x-www-form-urlencoded', statuses: [415], names: BODY },
    { name: 'XML', text: '<body><role>admin</role></body>', contentType: 'application/xml', statuses: [415], names: BODY },
    { name: 'multipart', text: '--x\r\nContent-Disposition: form-data; name="role"\r\n\r\nadmin\r\n--x--', contentType: 'multipart/form-data; boundary=x', statuses: [415], names: BODY },
    { name: 'a body over the limit', text: spliced(`"padding":"${'x'.repeat(OVER_BODY_LIMIT)}"`), contentType: JSON_TYPE, statuses: [413], names: BODY },
    { name: 'a __proto__ key', text: spliced('"__proto__":{"role":"admin","isAdmin":true}'), contentType: JSON_TYPE, statuses: [400], names: BODY },
    { name: 'a constructor.prototype key', text: spliced('"constructor":{"prototype":{"role":"admin"}}'), contentType: JSON_TYPE, statuses: [400], names: BODY },
    { name: 'a __proto__ key deep inside', text: spliced('"x":{"y":[{"__proto__":{"role":"admin"}}]}'), contentType: JSON_TYPE, statuses: [400], names: BODY },
    jsonCase('a field nobody declared', { ...valid, unexpected: true }, [400], naming('unexpected')),
    jsonCase('a field that looks like a role', { ...valid, role: 'admin', isAdmin: true, allClients: true }, [400], /^(?:role|isAdmin|allClients)[.:\s]/),
    { name: 'JSON nested 20,000 deep in a field nobody declared', text: spliced(`"deep":${nested(20_000)}`), contentType: JSON_TYPE, statuses: [400], names: naming('deep') },
    { name: 'the whole body nested 20,000 deep', text: nested(20_000), contentType: JSON_TYPE, statuses: [400], names: BODY },
  ].filter((c) => !(c.name === 'a field that looks like a role' && schema.properties?.role));
  for (const field of schema.required ?? []) cases.push(jsonCase(`${field}: missing`, without(valid, field), [400], naming(field)));
  for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
    cases.push(...fieldCases(valid, [field], fieldSchema));
    if (typesOf(fieldSchema).has('object') || typesOf(fieldSchema).has('array')) {
      cases.push({ name: `${field}: nested 20,000 deep`, text: JSON.stringify(withValue(valid, [field], 0)).replace(`"${field}":0`, `"${field}":${nested(20_000)}`), contentType: JSON_TYPE, statuses: [400], names: naming(field) });
    }
  }
  return cases;
}

/** What a body is never allowed to do to an operation that takes none: be unreadable, too large, or of an unknown type. */
export function bodylessCases(): BodyCase[] {
  return [
    { name: 'invalid JSON', text: '{"role":', contentType: JSON_TYPE, statuses: [400], names: BODY },
    { name: 'an empty body that says it is JSON', text: '', contentType: JSON_TYPE, statuses: [400], names: BODY },
    { name: 'a __proto__ key', text: '{"__proto__":{"role":"admin"}}', contentType: JSON_TYPE, statuses: [400], names: BODY },
    { name: 'a body over the limit', text: `{"padding":"${'x'.repeat(OVER_BODY_LIMIT)}"}`, contentType: JSON_TYPE, statuses: [413], names: BODY },
    { name: 'XML', text: '<role>admin</role>', contentType: 'application/xml', statuses: [415], names: /media type/i },
  ];
}

/** Path values for `{id}` that no id is: NUL, traversal, injection, too long, bad UTF-8. */
export const HOSTILE_IDS = [
  '%00', 'a%00b', '00000000-0000-4000-8000-00000000000%00', "'%20OR%20'1'%3D'1", '1%3B%20DROP%20TABLE%20access.users', '..%2F..%2Fetc%2Fpasswd',
  '%2E%2E', '__proto__', 'constructor', 'x'.repeat(65), '%E0%A4%A', '%C3%28', '%20', 'null', '-1', '00000000-0000-4000-8000-00000000000G',
];
