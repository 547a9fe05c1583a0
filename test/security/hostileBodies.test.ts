import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import { hasControlCharacters } from '../../src/analytics/errors.ts';
import { createStoredClient } from '../../src/tenants/clientStore.ts';
import { createChannel } from '../../src/notify/delivery/channels.ts';
import { AccessWorld, type Actor } from '../helpers/accessWorld.ts';
import { bodylessCases, HOSTILE_IDS, structuralCases, type BodyCase, type Schema } from '../helpers/hostileBodies.ts';
import { SEMANTIC, semanticCases } from '../helpers/hostileFields.ts';
import { documentedOperations, fillPath, pathParams, type OpenApiOperation } from '../helpers/openApi.ts';
import { MASTER_KEYS, NEW_PASSWORD, PERSON_PASSWORD } from '../helpers/secrets.ts';

/**
 * Hostile bodies for every documented operation that changes something (POST, PATCH, PUT, DELETE), driven by the
 * request-body schemas of the OpenAPI document: wrong types, missing and undeclared fields, strings too long or
 * with control characters and NUL bytes, prototype-pollution keys, deep nesting, invalid JSON, other content types,
 * no body, bodies over the limit — and, by field name, what only the handler can know is wrong: duplicate and
 * malformed emails, weak passwords, unknown roles and clients, malformed URLs, time zones that do not exist.
 * The oracle: a 400 (413 too large, 415 not JSON) in our `{ error: { code, message } }` shape whose message names
 * the field, never a 5xx or a stack trace, and not one row of the platform database written. Each operation first
 * answers a valid request, so the harness is known to reach its handler.
 */
const MUTATING = ['POST', 'PATCH', 'PUT', 'DELETE'];
const OPERATIONS = (await documentedOperations()).filter((op) => MUTATING.includes(op.method));
const keyOf = (op: OpenApiOperation) => `${op.method} ${op.path}`;
const SEED = Number(process.env.FC_SEED ?? 20240408);

let world: AccessWorld;
/** A person whose email is taken (for the duplicate cases). */
let existing = '';

beforeAll(async () => {
  // An API replica (JOBS_WORK=0): it queues jobs but takes none and runs no cron, so nothing but the requests writes in
  // the platform database (a worker's pg-boss stamps its clock there, and its alert and report ticks write their rows).
  world = await AccessWorld.start('hostile_bodies', { encryptionKeys: [{ kid: 'k1', key: Buffer.from(MASTER_KEYS.k1, 'base64') }], jobs: { work: false } });
  existing = (await world.person('member', { alpha: 'viewer' }, false, 'Existing.Person')).email;
}, 60_000);
afterAll(async () => {
  await world?.close();
});

// ---- one valid request per operation: who sends it, where, with what ----

interface Valid { actor: Actor; path: Record<string, string>; body?: Record<string, unknown> }
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
const member = () => world.person('member', { alpha: 'viewer' }, false, 'target');
const productClient = async () => {
  const id = world.unique('hostile');
  await createStoredClient(world.db, null, { id, name: 'Product client', domain: null, timezone: 'UTC', branding: { primaryColor: '#123456', logoUrl: null }, grafanaOrgId: null, database: null });
  return id;
};
const admin = () => world.actor('admin');
const emailChannel = async () => (await createChannel(world.db, null, {
  name: world.unique('channel'), kind: 'email', addresses: ['ops@agency.example'], toMembers: false, webhook: null, clientIds: ['alpha'], kinds: ['alert-firing'], enabled: true,
})).id;
const nobody = () => world.actor('none');

/** Fresh each call: the valid request uses one, the hostile ones another (so a valid request cannot spoil them). */
const VALID: Record<string, () => Promise<Valid>> = {
  'POST /api/session': async () => ({ actor: await nobody(), path: {}, body: { email: (await member()).email, password: PERSON_PASSWORD } }),
  'DELETE /api/session': async () => ({ actor: await admin(), path: {} }),
  'PATCH /api/users/{id}': async () => ({ actor: await admin(), path: { id: (await member()).id }, body: { name: 'A Valid Name', clients: { alpha: 'editor' } } }),
  'DELETE /api/users/{id}': async () => ({ actor: await admin(), path: { id: (await member()).id } }),
  'POST /api/users/{id}/sign-out-everywhere': async () => ({ actor: await admin(), path: { id: (await member()).id } }),
  'POST /api/me/password': async () => ({ actor: await admin(), path: {}, body: { current: PERSON_PASSWORD, password: NEW_PASSWORD } }),
  'POST /api/invitations': async () => ({ actor: await admin(), path: {}, body: { email: `${world.unique('invitee')}@people.example`, role: 'member', clientIds: ['alpha'] } }),
  'DELETE /api/invitations/{id}': async () => ({ actor: await admin(), path: { id: (await world.invitation({ role: 'member', clients: { alpha: 'viewer' } })).invitation.id } }),
  'POST /api/invitations/accept': async () => ({
    actor: await nobody(), path: {}, body: { token: (await world.invitation({ role: 'member', clients: { alpha: 'viewer' } })).token, name: 'A Valid Name', password: NEW_PASSWORD },
  }),
  'POST /api/password-resets': async () => ({ actor: await nobody(), path: {}, body: { email: (await member()).email } }),
  'POST /api/users/{id}/password-reset': async () => ({ actor: await admin(), path: { id: (await member()).id } }),
  'POST /api/password-resets/complete': async () => ({ actor: await nobody(), path: {}, body: { token: (await world.reset(await member())).token, password: NEW_PASSWORD } }),
  'POST /api/admin/clients': async () => ({
    actor: await admin(), path: {},
    body: { id: world.unique('created'), name: 'A Valid Client', timezone: 'Europe/Paris', domain: 'shop.example', branding: { primaryColor: '#112233', logoUrl: 'https://cdn.example/logo.png' }, grafanaOrgId: 7 },
  }),
  'PATCH /api/admin/clients/{id}': async () => ({ actor: await admin(), path: { id: await productClient() }, body: { name: 'Renamed', timezone: 'Asia/Tokyo', disabled: false } }),
  'DELETE /api/admin/clients/{id}': async () => ({ actor: await admin(), path: { id: await productClient() } }),
  'POST /api/admin/clients/test-connection': async () => ({ actor: await admin(), path: {}, body: { clientId: 'alpha' } }),
  'POST /api/tokens': async () => ({ actor: await admin(), path: {}, body: { name: world.unique('valid'), kind: 'personal', expiresAt: inAMonth() } }),
  'DELETE /api/tokens/{id}': async () => {
    const actor = await admin();
    return { actor, path: { id: (await world.token({ personal: actor.person! })).token.id } };
  },
  'POST /api/channels': async () => ({ actor: await admin(), path: {}, body: { name: world.unique('channel'), kind: 'email', addresses: ['ops@agency.example'], clientIds: ['alpha'] } }),
  'PATCH /api/channels/{id}': async () => ({ actor: await admin(), path: { id: await emailChannel() }, body: { name: 'Renamed', enabled: false } }),
  'DELETE /api/channels/{id}': async () => ({ actor: await admin(), path: { id: await emailChannel() } }),
  'POST /api/channels/{id}/test': async () => ({ actor: await admin(), path: { id: await emailChannel() } }),
  'PATCH /api/clients/{id}/reports': async () => ({
    actor: await admin(), path: { id: 'alpha' },
    body: { weekly: { enabled: true, cron: '0 9 * * 1', recipients: ['ops@agency.example'] }, monthly: { enabled: false, cron: '0 9 1 * *', recipients: null } },
  }),
  'PATCH /api/reports/digest': async () => ({ actor: await admin(), path: {}, body: { enabled: true, cron: '0 8 * * 1', recipients: ['ops@agency.example'], timezone: 'Europe/Paris' } }),
  'PUT /api/clients/{id}/alert-rules': async () => ({
    actor: await admin(), path: { id: 'alpha' },
    body: { businessHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, rules: { 'no-data': { minExpected: 25, mutedUntil: null } } },
  }),
};

// ---- the oracle ----

/** Every table's rows (digested), but for when a session or token was last used. */
async function snapshot() {
  const { rows: tables } = await world.db.query<{ name: string; columns: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name,
            string_agg(format('%I', column_name), ', ' ORDER BY ordinal_position) FILTER (WHERE column_name NOT IN ('last_seen_at', 'last_used_at')) AS columns
       FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') GROUP BY table_schema, table_name ORDER BY 1`,
  );
  const digests: Record<string, unknown> = {};
  for (const { name, columns } of tables) {
    digests[name] = (await world.db.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM (SELECT ${columns} FROM ${name}) t`)).rows[0];
  }
  return digests;
}

const STACK = /\bat [\w.<>]+ \(|node:internal|\/work\/|\.[jt]s:\d+|Error:/;

async function send(op: OpenApiOperation, valid: Valid, c: BodyCase, id?: string) {
  const url = fillPath(op.path, { ...valid.path, ...(id !== undefined ? { id } : {}) });
  const headers: Record<string, string> = c.contentType ? { 'content-type': c.contentType } : {};
  const res = await world.app.inject({ method: op.method as 'POST', url, headers: { origin: 'http://localhost', ...valid.actor.headers, ...headers }, ...(c.text !== null ? { payload: c.text } : {}) });
  const context = `${keyOf(op)} with ${c.name} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, context).toBeLessThan(500);
  expect(c.statuses, context).toContain(res.statusCode);
  expect(String(res.headers['content-type']), context).toMatch(/^application\/json/);
  const body = res.json() as { error?: { code?: unknown; message?: unknown } };
  expect(body, context).toEqual({ error: { code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) } });
  expect(body.error!.message, context).toMatch(c.names);
  expect(res.body, `${context}\na stack trace or a path in the answer`).not.toMatch(STACK);
}

/** Whether any string or key in `value` has a control character (what the API refuses in any JSON body). */
const holdsControlCharacters = (value: unknown): boolean => typeof value === 'string' ? hasControlCharacters(value)
  : typeof value === 'object' && value !== null && Object.entries(value).some(([key, inner]) => hasControlCharacters(key) || holdsControlCharacters(inner));

/** At most `width` at once. */
async function inBatches<T>(items: T[], width: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}

/** A valid body changed in one field by fast-check: whatever the schema (or the control-character rule) refuses is a 400 naming a field. */
function fuzzedBodies(schema: Schema, valid: Record<string, unknown>) {
  const fields = Object.keys(schema.properties ?? {});
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('\u0000', '\u2028', '\uD800', '😀'.repeat(300)));
  return fc.tuple(fc.constantFrom(...fields), value).map(([field, v]) => ({ field, body: { ...valid, [field]: v } }));
}

const bodyOps = OPERATIONS.filter((op) => op.bodySchema);
const bodylessOps = OPERATIONS.filter((op) => !op.bodySchema);
const withId = OPERATIONS.filter((op) => pathParams(op).includes('id'));

describe('the document drives the bodies', () => {
  it('knows a valid request for every documented operation that changes something, and nothing else', () => {
    expect(Object.keys(VALID).sort()).toEqual(OPERATIONS.map(keyOf).sort());
    expect(bodyOps.length).toBeGreaterThanOrEqual(10);
  });

  it.each(OPERATIONS.map((op) => [keyOf(op), op] as const))('answers a valid %s: the handler is reached', async (_key, op) => {
    const valid = await VALID[keyOf(op)]!();
    const res = await world.app.inject({ method: op.method as 'POST', url: fillPath(op.path, valid.path), headers: { origin: 'http://localhost', ...valid.actor.headers }, ...(valid.body ? { payload: valid.body } : {}) });
    expect(res.statusCode, res.body.slice(0, 300)).toBeGreaterThanOrEqual(200);
    expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(300);
  });

  it('has semantic cases only for fields some operation has', () => {
    const paths = new Set(bodyOps.flatMap((op) => Object.entries((op.bodySchema as Schema).properties ?? {}).flatMap(([f, s]) => [f, ...Object.keys(s.properties ?? {}).map((sub) => `${f}.${sub}`)])));
    expect(Object.keys(SEMANTIC).filter((path) => !paths.has(path))).toEqual([]);
  });
});

describe('hostile bodies, from each operation\'s schema', () => {
  it.each(bodyOps.map((op) => [keyOf(op), op] as const))('%s: every case is a 400/413/415 naming the field, and nothing is written', async (key, op) => {
    const valid = await VALID[key]!();
    const schema = op.bodySchema as Schema;
    const cases = [...structuralCases(schema, valid.body!), ...semanticCases(key, schema, valid.body!, { takenEmail: existing })];
    expect(cases.length).toBeGreaterThan(20);
    const before = await snapshot();
    await inBatches(cases, 8, (c) => send(op, valid, c));
    expect(await snapshot()).toEqual(before);
  });

  it.each(bodyOps.map((op) => [keyOf(op), op] as const))('%s: fuzzed fields the schema refuses are a 400 naming a field, and nothing is written', async (key, op) => {
    const valid = await VALID[key]!();
    const schema = op.bodySchema as Schema;
    const validate = new Ajv({ strict: false }).compile(schema);
    const before = await snapshot();
    const refusable = (body: unknown) => !validate(body) || holdsControlCharacters(body);
    await fc.assert(fc.asyncProperty(fuzzedBodies(schema, valid.body!), async ({ field, body }) => {
      fc.pre(refusable(body));
      await send(op, valid, { name: `${field} = ${JSON.stringify(body[field]).slice(0, 80)}`, text: JSON.stringify(body), contentType: 'application/json', statuses: [400, 413], names: /^[^:\s][^:]*: |body/ });
    }), { seed: SEED, numRuns: 25 });
    expect(await snapshot()).toEqual(before);
  });
});

describe('bodies where none belongs, and hostile ids', () => {
  it.each(bodylessOps.map((op) => [keyOf(op), op] as const))('%s: an unreadable, oversized or unknown body is refused before the handler', async (key, op) => {
    const valid = await VALID[key]!();
    const before = await snapshot();
    for (const c of bodylessCases()) await send(op, valid, c);
    expect(await snapshot()).toEqual(before);
  });

  it.each(withId.map((op) => [keyOf(op), op] as const))('%s: a hostile {id} is a 400 or 404, and nothing is written', async (key, op) => {
    const valid = await VALID[key]!();
    const before = await snapshot();
    const body = valid.body ? JSON.stringify(valid.body) : null;
    await inBatches(HOSTILE_IDS, 8, (id) => send(op, valid, { name: `id ${id}`, text: body, contentType: body ? 'application/json' : null, statuses: [400, 404], names: /./ }, id));
    expect(await snapshot()).toEqual(before);
  });
});

describe("the pages' own forms (not in the document)", () => {
  /** Every table but the audit log, which records failed sign-ins and reset requests by design. */
  const unaudited = async () => Object.fromEntries(Object.entries(await snapshot()).filter(([table]) => table !== 'access.audit'));

  it('answers NUL bytes, control characters and oversized fields in every form field without a 5xx, and writes nothing', async () => {
    const { token: invitation } = await world.invitation({ role: 'member', clients: { alpha: 'viewer' } });
    const { token: reset } = await world.reset(await member());
    const forms: [string, Record<string, string>][] = [
      ['/login', { email: existing, password: PERSON_PASSWORD, next: '/' }],
      ['/password-reset', { email: existing }],
      [`/invitations/${invitation}`, { name: 'A Valid Name', password: NEW_PASSWORD }],
      [`/password-reset/${reset}`, { password: NEW_PASSWORD }],
    ];
    const before = await unaudited();
    for (const [url, fields] of forms) {
      for (const field of Object.keys(fields)) {
        for (const value of ['a\u0000b@people.example', 'line\nbreak', 'esc\u001b[31m', 'x'.repeat(OVER_FORM)]) {
          const payload = new URLSearchParams({ ...fields, [field]: value }).toString();
          const res = await world.app.inject({ method: 'POST', url, payload, headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' } });
          const context = `${url} with ${field} = ${JSON.stringify(value.slice(0, 20))} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          // A refusal, or (the reset form) the same 'sent' page any address gets.
          expect(res.statusCode === 200 ? url : res.statusCode, context).toBe(res.statusCode === 200 ? '/password-reset' : res.statusCode);
          expect(res.statusCode, context).toBeLessThan(500);
          expect(res.body, context).not.toMatch(STACK);
        }
      }
    }
    expect(await unaudited()).toEqual(before);
  });
});
const OVER_FORM = 70 * 1024;
