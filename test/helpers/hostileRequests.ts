import fc from 'fast-check';
import { cursorish, encode, hostileFragment, oddQuerySegments, schemaEdges, unknownName } from './hostileValues.ts';
import { fillPath, pathParams, queryParams, type OpenApiOperation, type OpenApiParameter } from './openApi.ts';

/**
 * Requests built from an OpenAPI operation: valid values for every parameter but the one under attack, or several
 * things wrong at once. Values come from the tables below (fixture data: client `alpha` with the chat fixture).
 */
export interface HostileRequest {
  op: OpenApiOperation;
  url: string;
}

export const RANGE = { from: '2024-05-01', to: '2024-05-02' };
/** A person the hostile-input fixture creates (people routes need one to answer 200). */
export const FIXTURE_PERSON = '00000000-0000-4000-8000-000000000001';
/** A notification channel (an email one, for alpha) the fixture creates: the channel routes need one to answer 200. */
export const FIXTURE_CHANNEL = '00000000-0000-4000-8000-00000000c0de';


/** Values the document allows, to put next to a hostile one (so the hostile one is what gets judged). */
export const VALID_QUERY: Record<string, string[]> = {
  from: ['2024-05-01', '2024-05-01T00:00:00+10:00'], to: ['2024-05-02', '2024-05-03T00:00:00Z'], tz: ['Australia/Sydney', 'UTC'],
  format: ['json', 'csv'], mode: ['any', 'ordered'], window: ['30m', 'PT2H'], compare: ['previous', 'year'], compareAlign: ['date', 'weekday'],
  compareFrom: ['2024-04-01'], compareTo: ['2024-04-02'], limit: ['1', '500'], abandonAfter: ['10m', '1d'],
  messagesOffset: ['0', '2'], messagesLimit: ['1', '1000'],
  range: ['7d', '30d'], clients: ['alpha'],
  state: ['firing', 'pending,firing'], kind: ['weekly', 'monthly'],
  action: ['sign-in', 'export'], clientId: ['alpha'], actor: [FIXTURE_PERSON], before: ['1', '9007199254740991'],
  cursor: [Buffer.from(JSON.stringify(['2024-05-02T13:59:00.000000Z', 'c3'])).toString('base64url')],
};
export const VALID_PATH: Record<string, string[]> = { clientId: ['alpha'], sessionId: ['c1', 'c6', 'ghost'], id: [FIXTURE_PERSON] };
/** Valid path values for this operation: under `/api/clients/{id}` the id is a client's, under `/api/channels` a channel's. */
const validPath = (op: OpenApiOperation): Record<string, string[]> =>
  (op.path.startsWith('/api/clients/{id}') ? { ...VALID_PATH, id: ['alpha'] }
    : op.path.startsWith('/api/channels/{id}') ? { ...VALID_PATH, id: [FIXTURE_CHANNEL] } : VALID_PATH);

/** Documented parameters this file has no valid value for (a new parameter must be added to the tables). */
export const parametersWithoutValidValues = (operations: OpenApiOperation[]) =>
  operations.flatMap((op) => op.parameters
    .filter((p) => !(p.name in (p.in === 'path' ? VALID_PATH : VALID_QUERY)))
    .map((p) => `${op.path} ${p.in} ${p.name}`));

/** The operation with valid path values and, for range endpoints, the fixture's range. */
export function validUrl(op: OpenApiOperation): string {
  const path = fillPath(op.path, Object.fromEntries(pathParams(op).map((name) => [name, validPath(op)[name]![0]!])));
  return queryParams(op).some((p) => p.name === 'from') ? `${path}?from=${RANGE.from}&to=${RANGE.to}` : path;
}

interface Parts {
  path: Record<string, string>;
  /** `name=value` pairs, already encoded. */
  query: [string, string][];
  odd?: string[];
}

function toUrl(op: OpenApiOperation, parts: Parts): string {
  const query = [...parts.query.map(([n, v]) => `${n}=${v}`), ...(parts.odd ?? [])];
  return `${fillPath(op.path, parts.path)}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/** Valid values for some of the parameters, at most one each. */
function validParts(op: OpenApiOperation): fc.Arbitrary<Parts> {
  const pairs = queryParams(op).flatMap((p) => (VALID_QUERY[p.name] ?? []).map((value) => [encode(p.name), encode(value)] as [string, string]));
  return fc.record({
    path: fc.record(Object.fromEntries(pathParams(op).map((name) => [name, fc.constantFrom(...validPath(op)[name]!)]))),
    query: fc.subarray(pairs).map((chosen) => chosen.filter(([n], i) => chosen.findIndex(([m]) => m === n) === i)),
  });
}

/** Hostile values for one parameter: generic ones, the edges its schema declares, forged tokens where it takes one. */
function hostileFor(param: OpenApiParameter): fc.Arbitrary<string> {
  const edges = schemaEdges(param.schema);
  const token = /cursor/i.test(`${param.name} ${param.description ?? ''}`);
  return fc.oneof(
    { weight: 4, arbitrary: hostileFragment },
    { weight: edges.length > 0 ? 2 : 0, arbitrary: edges.length > 0 ? fc.constantFrom(...edges) : fc.constant('') },
    { weight: token ? 10 : 1, arbitrary: cursorish },
  );
}

/** `param` hostile (alone, or after a valid value of the same name: a duplicate), the others valid or absent. */
export function oneHostileParameter(op: OpenApiOperation, param: OpenApiParameter): fc.Arbitrary<HostileRequest> {
  return fc.record({ base: validParts(op), value: hostileFor(param), duplicate: fc.boolean() }).map(({ base, value, duplicate }) => {
    if (param.in === 'path') return { op, url: toUrl(op, { ...base, path: { ...base.path, [param.name]: value } }) };
    const name = encode(param.name);
    return { op, url: toUrl(op, { ...base, query: [...base.query.filter(([n]) => duplicate || n !== name), [name, value]] }) };
  });
}

/** Several things wrong at once: hostile path values, hostile, unknown and duplicate parameters, odd segments. */
export function manyHostileParts(op: OpenApiOperation): fc.Arbitrary<HostileRequest> {
  const declared = queryParams(op).map((p) => encode(p.name));
  const name = declared.length > 0 ? fc.oneof(fc.constantFrom(...declared), unknownName) : unknownName;
  const path = fc.record(Object.fromEntries(pathParams(op).map((param) => [param, fc.oneof(fc.constantFrom(...validPath(op)[param]!), hostileFragment)])));
  return fc.record({
    base: validParts(op),
    path,
    hostile: fc.array(fc.tuple(name, hostileFragment), { minLength: 1, maxLength: 4 }),
    odd: fc.array(oddQuerySegments, { maxLength: 2 }),
  }).map(({ base, path: values, hostile, odd }) => ({ op, url: toUrl(op, { path: values, query: [...base.query, ...hostile], odd }) }));
}
