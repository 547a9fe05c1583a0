import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessWorld, DEAD, LIVE, PRINCIPALS, type Actor, type Live, type PrincipalName } from '../helpers/accessWorld.ts';
import { clientRead, DRIVERS, type Driver } from '../helpers/isolationDrivers.ts';
import { documentedOperations, type OpenApiOperation } from '../helpers/openApi.ts';

/**
 * Every documented operation × every principal — people of each role, their tokens, legacy keys, and credentials
 * that prove nobody any more — on two clients. Each cell acts on things made for it alone, and asserts the status,
 * the error shape, that what another client (or a person it may not manage) has looks exactly like what does not
 * exist (the same 404 as an unknown id), and that a refused request changed nothing in the database.
 * A documented operation without a row here fails the first test: a new route cannot be forgotten.
 */
type Status = 200 | 201 | 202 | 204 | 400 | 401 | 403 | 404 | 409 | 410;
/** In the order of LIVE; null: there is no such target for that principal (keys and service tokens have no self). */
type Row = readonly [Status | null, Status | null, Status | null, Status | null, Status | null, Status | null, Status | null, Status | null, Status | null, Status | null];
interface Expectation {
  live: Row;
  /** Public operations: what the dead credentials and no credential get (otherwise 401). */
  anonymous?: Status;
  /** Link operations: what an expired link gets. */
  expiredLink?: Status;
}
const _ = null;
const live = (...row: Row): Expectation => ({ live: row });
const open = (anonymous: Status, row: Row, expiredLink?: Status): Expectation => ({ live: row, anonymous, expiredLink });
const all = (status: Status): Row => [status, status, status, status, status, status, status, status, status, status];
const adminsOnly = (status: Status): Row => [status, 403, 403, 403, 403, 403, 403, 403, status, 403];

/** Every GET under /api/{clientId}/: the client's data, for whoever may see that client. */
const CLIENT_READ: Record<string, Expectation> = {
  //               admin opAll  opA  aView aEdit bView  pat   svc  aKey alphaKey
  alpha: live(200, 200, 200, 200, 200, 404, 200, 200, 200, 200),
  beta: live(200, 200, 404, 404, 404, 200, 404, 404, 200, 404),
};

// Columns: admin · operator (all clients) · operator (alpha) · alpha viewer · alpha editor · beta viewer ·
//          alpha viewer's personal token · alpha service token · admin key · alpha key
const PERSON = (ok: Status, self: Status | null): Record<string, Expectation> => ({
  'alpha member': live(ok, ok, ok, 404, 404, 404, 404, 404, ok, 404),
  'beta member': live(ok, ok, 404, 404, 404, 404, 404, 404, ok, 404),
  'an operator': live(ok, 404, 404, 404, 404, 404, 404, 404, ok, 404),
  'an admin': live(ok, 404, 404, 404, 404, 404, 404, 404, ok, 404),
  self: live(self, self, self, self, self, self, self, _, _, _),
});

const EXPECTED: Record<string, Record<string, Expectation>> = {
  'GET /health': { '-': open(200, all(200)) },
  'GET /clients': { '-': live(...all(200)) },
  'POST /api/session': { '-': open(200, all(200)) },
  'DELETE /api/session': { '-': open(204, all(204)) },
  'GET /api/me': { '-': live(...all(200)) },

  'GET /api/users': { '-': live(200, 200, 200, 403, 403, 403, 403, 403, 200, 403) },
  'GET /api/users/{id}': PERSON(200, 200),
  'PATCH /api/users/{id}': PERSON(200, 200),
  'DELETE /api/users/{id}': PERSON(204, 403),
  'POST /api/users/{id}/sign-out-everywhere': PERSON(200, 200),
  'POST /api/users/{id}/password-reset': {
    //                admin opAll  opA  aView aEdit bView  pat   svc  aKey alphaKey
    'alpha member': live(201, 201, 201, 403, 403, 403, 403, 403, 201, 403),
    'beta member': live(201, 201, 404, 403, 403, 403, 403, 403, 201, 403),
    'an operator': live(201, 404, 404, 403, 403, 403, 403, 403, 201, 403),
    'an admin': live(201, 404, 404, 403, 403, 403, 403, 403, 201, 403),
    self: live(201, 201, 201, 403, 403, 403, 403, _, _, _),
  },
  'POST /api/me/password': { '-': live(204, 204, 204, 204, 204, 204, 204, 403, 403, 403) },

  'POST /api/invitations': {
    'a member of alpha': live(201, 201, 201, 403, 403, 403, 403, 403, 201, 403),
    'a member of beta': live(201, 201, 404, 403, 403, 403, 403, 403, 201, 403),
    'an operator': live(201, 403, 403, 403, 403, 403, 403, 403, 201, 403),
    'an admin': live(201, 403, 403, 403, 403, 403, 403, 403, 201, 403),
  },
  'GET /api/invitations': { '-': live(200, 200, 200, 403, 403, 403, 403, 403, 200, 403) },
  'DELETE /api/invitations/{id}': {
    "alpha member's": live(204, 204, 204, 403, 403, 403, 403, 403, 204, 403),
    "beta member's": live(204, 204, 404, 403, 403, 403, 403, 403, 204, 403),
    "an operator's": live(204, 404, 404, 403, 403, 403, 403, 403, 204, 403),
    "an admin's": live(204, 404, 404, 403, 403, 403, 403, 403, 204, 403),
  },
  'POST /api/invitations/accept': { '-': open(200, all(200), 410) },
  'POST /api/password-resets': { '-': open(202, all(202)) },
  'POST /api/password-resets/complete': { '-': open(200, all(200), 410) },

  'GET /api/outbox': { '-': live(...adminsOnly(200)) },
  'GET /api/audit': { '-': live(...adminsOnly(200)) },
  'GET /api/audit?format=csv': { '-': live(...adminsOnly(200)) },
  'GET /api/admin/clients': { '-': live(...adminsOnly(200)) },
  'POST /api/admin/clients': { '-': live(...adminsOnly(201)) },
  'PATCH /api/admin/clients/{id}': {
    'a client managed in the product': live(...adminsOnly(200)), 'a client from the registry file': live(...adminsOnly(409)),
  },
  'DELETE /api/admin/clients/{id}': {
    'a client managed in the product': live(...adminsOnly(204)), 'a client from the registry file': live(...adminsOnly(409)),
  },
  'POST /api/admin/clients/test-connection': { '-': live(...adminsOnly(200)) },

  'GET /api/tokens': { '-': live(...all(200)) },
  'POST /api/tokens': {
    //                     admin opAll  opA  aView aEdit bView  pat   svc  aKey alphaKey
    personal: live(201, 201, 201, 201, 201, 201, 403, 403, 403, 403),
    'service for alpha': live(201, 201, 201, 403, 201, 404, 403, 403, 403, 403),
    'service for beta': live(201, 201, 404, 404, 404, 403, 403, 403, 403, 403),
  },
  'DELETE /api/tokens/{id}': {
    'own personal': live(204, 204, 204, 204, 204, 204, 204, _, _, _),
    "another person's personal": live(204, 404, 404, 404, 404, 404, 404, 404, 204, 404),
    'alpha service': live(204, 204, 204, 404, 204, 404, 404, 404, 204, 404),
    'beta service': live(204, 204, 404, 404, 404, 404, 404, 404, 204, 404),
  },

  // Channels: admins and operators (an operator: those of its clients only); members, tokens of members, client keys never.
  'GET /api/channels': { '-': live(200, 200, 200, 403, 403, 403, 403, 403, 200, 403) },
  'POST /api/channels': {
    //    admin opAll  opA  aView aEdit bView  pat   svc  aKey alphaKey
    alpha: live(201, 201, 201, 403, 403, 403, 403, 403, 201, 403),
    beta: live(201, 201, 400, 403, 403, 403, 403, 403, 201, 403),
  },
  ...Object.fromEntries(([['GET /api/channels/{id}', 200], ['PATCH /api/channels/{id}', 200], ['DELETE /api/channels/{id}', 204],
    ['POST /api/channels/{id}/test', 200], ['GET /api/channels/{id}/attempts', 200]] as const).map(([operation, ok]) => [operation, {
    alpha: live(ok, ok, ok, 403, 403, 403, 403, 403, ok, 403),
    beta: live(ok, ok, 404, 403, 403, 403, 403, 403, ok, 403),
    'every client': live(ok, ok, 404, 403, 403, 403, 403, 403, ok, 403),
  }])),

  // Alert rules: admins and the operators who see the client; its members 403, everyone else 404. Alerts: anyone.
  'GET /api/clients/{id}/alert-rules': {
    //    admin opAll  opA  aView aEdit bView  pat   svc  aKey alphaKey
    alpha: live(200, 200, 200, 403, 403, 404, 403, 403, 200, 403),
    beta: live(200, 200, 404, 404, 404, 403, 404, 404, 200, 404),
  },
  'PUT /api/clients/{id}/alert-rules': { 'a client managed in the product': live(200, 200, 404, 404, 404, 404, 404, 404, 200, 404) },
  'GET /api/alerts': { '-': live(...all(200)) },
  'GET /api/alerts/history': { '-': live(...all(200)) },

  // Reports: a client's settings are its operators' and admins' (its members 403, everyone else 404); its preview is
  // whoever sees the client's; the digest's settings are admins', its preview operators' and admins' (their clients).
  'GET /api/clients/{id}/reports': {
    //    admin opAll  opA  aView aEdit bView  pat   svc  aKey alphaKey
    alpha: live(200, 200, 200, 403, 403, 404, 403, 403, 200, 403),
    beta: live(200, 200, 404, 404, 404, 403, 404, 404, 200, 404),
  },
  'PATCH /api/clients/{id}/reports': {
    //    admin opAll  opA  aView aEdit bView  pat   svc  aKey alphaKey
    alpha: live(200, 200, 200, 403, 403, 404, 403, 403, 200, 403),
    beta: live(200, 200, 404, 404, 404, 403, 404, 404, 200, 404),
    'a client managed in the product': live(200, 200, 404, 404, 404, 404, 404, 404, 200, 404),
  },
  'GET /api/clients/{id}/reports/preview': CLIENT_READ,
  'GET /api/reports/digest': { '-': live(...adminsOnly(200)) },
  'PATCH /api/reports/digest': { '-': live(...adminsOnly(200)) },
  'GET /api/reports/digest/preview': { '-': live(200, 200, 200, 403, 403, 403, 403, 403, 200, 403) },

  // The portfolio: anyone, of the clients they see (checked against GET /clients below).
  'GET /api/portfolio': { '-': live(...all(200)) },
  // Operations: readiness is public; the metrics need an admin's credential (or METRICS_TOKEN): others 403, no one 401.
  'GET /ready': { '-': open(200, all(200)) },
  'GET /metrics': { '-': live(...adminsOnly(200)) },
};

/** Not an OpenAPI operation of its own: the audit log's CSV export, refused exactly like reading it. */
const EXTRA_KEYS = ['GET /api/audit?format=csv'];

// ---- what the lists show (labels of things made once, in beforeAll) ----

type Sees = Record<Live, readonly string[] | null>;
const PEOPLE = ['alpha member', 'beta member', 'an operator', 'an admin'];
const TOKENS = ["a person's personal", 'alpha service', 'beta service'];
const SEES: Record<string, Sees> = {
  'GET /clients': {
    admin: ['alpha', 'beta'], 'operator (all clients)': ['alpha', 'beta'], 'operator (alpha)': ['alpha'], 'alpha viewer': ['alpha'],
    'alpha editor': ['alpha'], 'beta viewer': ['beta'], "alpha viewer's personal token": ['alpha'], 'alpha service token': ['alpha'],
    'admin key': ['alpha', 'beta'], 'alpha key': ['alpha'],
  },
  'GET /api/users': {
    admin: [...PEOPLE, 'self'], 'operator (all clients)': ['alpha member', 'beta member', 'self'], 'operator (alpha)': ['alpha member', 'self'],
    'alpha viewer': null, 'alpha editor': null, 'beta viewer': null, "alpha viewer's personal token": null, 'alpha service token': null,
    'admin key': PEOPLE, 'alpha key': null,
  },
  'GET /api/invitations': {
    admin: PEOPLE, 'operator (all clients)': ['alpha member', 'beta member'], 'operator (alpha)': ['alpha member'],
    'alpha viewer': null, 'alpha editor': null, 'beta viewer': null, "alpha viewer's personal token": null, 'alpha service token': null,
    'admin key': PEOPLE, 'alpha key': null,
  },
  'GET /api/tokens': {
    admin: [...TOKENS, 'own personal'], 'operator (all clients)': ['alpha service', 'beta service', 'own personal'],
    'operator (alpha)': ['alpha service', 'own personal'], 'alpha viewer': ['own personal'], 'alpha editor': ['alpha service', 'own personal'],
    'beta viewer': ['own personal'], "alpha viewer's personal token": ['own personal'], 'alpha service token': [], 'admin key': TOKENS, 'alpha key': [],
  },
};
const ME: Record<Live, [kind: string, role: string]> = {
  admin: ['user', 'admin'], 'operator (all clients)': ['user', 'operator'], 'operator (alpha)': ['user', 'operator'],
  'alpha viewer': ['user', 'member'], 'alpha editor': ['user', 'member'], 'beta viewer': ['user', 'member'],
  "alpha viewer's personal token": ['token', 'member'], 'alpha service token': ['token', 'member'], 'admin key': ['key', 'admin'], 'alpha key': ['key', 'member'],
};

// ---- the cells ----

const OPERATIONS = await documentedOperations();
const keyOf = (op: OpenApiOperation) => `${op.method} ${op.path}`;
const isClientRead = (op: OpenApiOperation) => op.method === 'GET' && op.path.startsWith('/api/{clientId}/');

interface Cell { key: string; driver: Driver; target: string; principal: PrincipalName; expected: Status }

function expectedOf(expectation: Expectation, principal: PrincipalName): Status | null {
  const column = LIVE.indexOf(principal as Live);
  if (column >= 0) return expectation.live[column]!;
  if (expectation.anonymous === undefined) return 401;
  return principal === 'expired invitation link' && expectation.expiredLink !== undefined ? expectation.expiredLink : expectation.anonymous;
}

const TABLE: [string, Driver, Record<string, Expectation>][] = [
  ...OPERATIONS.filter(isClientRead).map((op): [string, Driver, Record<string, Expectation>] => [keyOf(op), clientRead(op), CLIENT_READ]),
  ...Object.entries(EXPECTED).filter(([key]) => DRIVERS[key]).map(([key, rows]): [string, Driver, Record<string, Expectation>] => [key, DRIVERS[key]!, rows]),
];
const CELLS: Cell[] = TABLE.flatMap(([key, driver, rows]) => driver.targets.flatMap((target) => PRINCIPALS.flatMap((principal) => {
  const expectation = rows[target];
  // An expired invitation link is a credential only where links are used; elsewhere it is no credential ('none').
  if (!expectation || (principal === 'expired invitation link' && expectation.expiredLink === undefined)) return [];
  const expected = expectedOf(expectation, principal);
  return expected === null ? [] : [{ key, driver, target, principal, expected }];
})));

let world: AccessWorld;
const shared = {} as Record<PrincipalName, Actor>;
/** Things the lists must show or hide, by label (see SEES). */
const listed = { people: {} as Record<string, string>, invitations: {} as Record<string, string>, tokens: {} as Record<string, string>, own: {} as Record<string, string> };

beforeAll(async () => {
  world = await AccessWorld.start('people_isolation');
  for (const principal of PRINCIPALS) shared[principal] = await world.actor(principal);
  const people = {
    'alpha member': await world.person('member', { alpha: 'viewer' }), 'beta member': await world.person('member', { beta: 'viewer' }),
    'an operator': await world.person('operator', {}, true), 'an admin': await world.person('admin'),
  };
  for (const [label, person] of Object.entries(people)) listed.people[label] = person.id;
  const pending = { 'alpha member': { alpha: 'viewer' as const }, 'beta member': { beta: 'viewer' as const } };
  for (const [label, clients] of Object.entries(pending)) listed.invitations[label] = (await world.invitation({ role: 'member', clients })).invitation.id;
  listed.invitations['an operator'] = (await world.invitation({ role: 'operator', allClients: true })).invitation.id;
  listed.invitations['an admin'] = (await world.invitation({ role: 'admin' })).invitation.id;
  listed.tokens["a person's personal"] = (await world.token({ personal: people['alpha member'] })).token.id;
  listed.tokens['alpha service'] = (await world.token({ service: 'alpha' })).token.id;
  listed.tokens['beta service'] = (await world.token({ service: 'beta' })).token.id;
  for (const principal of LIVE) {
    const person = shared[principal].person;
    if (person) listed.own[principal] = (await world.token({ personal: person })).token.id;
  }
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** A list answer against SEES: each labelled thing shown exactly when that principal may see it. */
function checkList(key: string, principal: Live, body: unknown) {
  const sees = SEES[key]?.[principal];
  if (!sees) return;
  const ids = new Set((body as { id: string }[]).map((item) => item.id));
  const universe: Record<string, string> = key === 'GET /clients' ? { alpha: 'alpha', beta: 'beta' }
    : key === 'GET /api/users' ? { ...listed.people, ...(shared[principal].person ? { self: shared[principal].person!.id } : {}) }
    : key === 'GET /api/invitations' ? listed.invitations
    : { ...listed.tokens, ...(listed.own[principal] ? { 'own personal': listed.own[principal]! } : {}) };
  const shown = Object.entries(universe).filter(([, id]) => ids.has(id)).map(([label]) => label).sort();
  expect(shown).toEqual([...sees].sort());
}

describe('the matrix', () => {
  it('has an expectation and a driver for every documented operation, and nothing else', () => {
    const documented = OPERATIONS.filter((op) => !isClientRead(op)).map(keyOf).sort();
    expect(Object.keys(EXPECTED).filter((key) => !EXTRA_KEYS.includes(key)).sort()).toEqual(documented);
    expect(Object.keys(DRIVERS).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [key, driver, rows] of TABLE) expect([key, Object.keys(rows).sort()]).toEqual([key, [...driver.targets].sort()]);
    expect(OPERATIONS.filter(isClientRead).length).toBeGreaterThanOrEqual(13);
    expect(PRINCIPALS.length).toBe(LIVE.length + DEAD.length);
  });
});

describe.concurrent('every operation × every principal', () => {
  it.each(CELLS.map((cell) => [`${cell.key}${cell.target === '-' ? '' : ` [${cell.target}]`} as ${cell.principal} → ${cell.expected}`, cell] as const))(
    '%s',
    async (_title, { key, driver, target, principal, expected }) => {
      // Dead credentials prove nobody, whoever holds them: one of each serves every cell.
      const own = driver.changesCaller?.(target) && (LIVE as readonly string[]).includes(principal);
      const actor = own ? await world.actor(principal) : shared[principal];
      const prepared = await driver.prepare(world, actor, target);
      const before = await prepared.state?.();
      const res = await world.inject(actor, prepared.request);
      const context = `${prepared.request.method} ${prepared.request.url} → ${res.statusCode} ${res.body.slice(0, 300)}`;
      expect(res.statusCode, context).toBe(expected);
      const after = await prepared.state?.();

      if (expected >= 400) {
        expect(res.json(), context).toEqual({ error: { code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) } });
        expect(after, `${context}\na refused request changed the database`).toEqual(before);
      } else {
        if (prepared.state && prepared.changes !== false) expect(after, `${context}\nsucceeded but changed nothing`).not.toEqual(before);
        await prepared.granted?.(res);
        if (key in SEES) checkList(key, principal as Live, res.json());
        if (key === 'GET /api/me') expect([res.json().kind, res.json().role]).toEqual(ME[principal as Live]);
        if (key === 'GET /api/portfolio') {
          // Of the registry file's two clients (other cells make clients of their own meanwhile), those it sees.
          const shown = res.json().clients.map((c: { clientId: string }) => c.clientId).filter((id: string) => id === 'alpha' || id === 'beta');
          expect(shown.sort()).toEqual([...SEES['GET /clients']![principal as Live]!].sort());
        }
      }
      if (expected === 404) {
        // What exists but is not the caller's answers exactly like what does not exist.
        expect(prepared.unknown, `${key}: a 404 cell needs the same request for something unknown`).toBeDefined();
        const unknown = await world.inject(actor, prepared.unknown!.request);
        const [from, to] = prepared.unknown!.swap ?? ['', ''];
        expect([unknown.statusCode, from ? res.body.replaceAll(from, to) : res.body]).toEqual([404, unknown.body]);
      }
    },
  );
});
