import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadChatFixture, type ChatDataset } from '../fixtures/chatFixture.ts';
import { bearer, buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { documentedOperations, fillPath, pathParams, queryParams } from '../helpers/openApi.ts';
import { expiredSession, forgedSession, signIn, tampered } from '../helpers/sessionCookies.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { MemoryBackend } from '../../src/cache/backends.ts';
import { ResultCache } from '../../src/cache/resultCache.ts';
import { readWebAssets } from '../../src/http/pages/assets.ts';

/**
 * Every route × every kind of credential, against two clients whose data carries a recognisable marker
 * (`alpha-secret` / `beta-secret` in session ids, chat messages, lead names, sources and e-mails, and client names).
 * Each cell asserts its status, that nothing of a client the caller may not read appears in the answer (headers and
 * body), and that a granted API answer equals the one an app serving only that client gives (numbers carry no
 * marker). The app under test shares one result cache between the clients, as production can.
 * People, their roles and tokens on every documented operation: peopleIsolation.test.ts.
 */
type Target = 'alpha' | 'beta';
const TARGETS: Target[] = ['alpha', 'beta'];
const OTHER: Record<Target, Target> = { alpha: 'beta', beta: 'alpha' };
const MARKER: Record<Target, string> = { alpha: 'alpha-secret', beta: 'beta-secret' };
const KEY: Record<Target, string> = { alpha: KEYS.alpha, beta: KEYS.beta };
const ORG: Record<Target, number> = { alpha: 2, beta: 3 };
const RANGE = 'from=2024-04-01&to=2024-04-08';

/** Each client's data: the marker everywhere text goes, and different numbers (`extra` more sessions, leads, handoffs). */
function tenantData(marker: string, extra: number): ChatDataset {
  const s = (n: number) => `${marker}-s${n}`;
  const extras = Array.from({ length: extra }, (_, i) => ({ id: s(4 + i), at: (seconds: number) => `2024-04-0${2 + i}T0${3 + i}:00:${String(seconds).padStart(2, '0')}Z` }));
  return {
    sessions: [
      { id: s(1), pageLoaded: '2024-04-05T09:00:00Z', widgetOpened: '2024-04-05T09:00:20Z', requestedHuman: '2024-04-05T09:01:00Z', pressedAccept: '2024-04-05T09:02:00Z' },
      { id: s(2), pageLoaded: '2024-04-06T10:00:00Z', widgetOpened: '2024-04-06T10:00:30Z', requestedHuman: '2024-04-06T10:01:00Z', pressedCallback: '2024-04-06T10:03:00Z' },
      { id: s(3), pageLoaded: '2024-04-07T11:00:00Z' },
      ...extras.map(({ id, at }) => ({ id, pageLoaded: at(0), widgetOpened: at(20), requestedHuman: at(40) })),
    ],
    messages: [
      [s(1), '2024-04-05T09:00:30Z', 'user', `Hello ${marker} clinic`],
      [s(1), '2024-04-05T09:00:40Z', 'bot', `Welcome to ${marker}`],
      [s(2), '2024-04-06T10:00:40Z', 'user', `Call me back, ${marker}`],
    ],
    leads: [
      [`${marker}-lead-1`, s(1), '2024-04-05T09:03:00Z', `${marker}-ads`, `visitor@${marker}.example`, '+61 400 000 001'],
      [`${marker}-lead-2`, s(2), '2024-04-06T10:04:00Z', `${marker}-search`, null, '+61 400 000 002'],
      ...extras.map(({ id, at }): ChatDataset['leads'][number] => [`${id}-lead`, id, at(50), `${marker}-ads`, null, null]),
    ],
    connections: [[`${marker}-agent-1`, s(1), '2024-04-05T09:01:00Z', '2024-04-05T09:01:30Z', '2024-04-05T09:05:00Z', 'completed']],
  };
}

// ---- credentials, named from the point of view of the target client ----

const CREDENTIALS = [
  'none', 'wrong key', "other client's key", 'own key', 'admin key',
  'own session', "other client's session", 'admin session',
  'expired own session', 'forged operator session', 'tampered session',
] as const;
// expired: this client's real session past its end; forged: a cookie of the right shape never issued; tampered: the
// other client's real cookie with one character changed.
type Credential = (typeof CREDENTIALS)[number];

// ---- the expectation table ----

/** `login`: 302 to `/login?next=<the page>`; `grafana`: 302 to that client's dashboard in its own organization. */
type Outcome = 200 | 401 | 404 | 'login' | 'grafana';
type RouteKind = 'api' | 'dashboard' | 'grafana';

/**
 * API routes take a key (`Authorization: Bearer`) or the session cookie; the HTML pages (dashboard, Grafana link)
 * take the browser session only, so a key there is like no credential at all: the browser is sent to sign in.
 * Another client's credential answers 404, exactly like an unknown client.
 */
const EXPECTED: Record<RouteKind, Record<Credential, Outcome>> = {
  api: {
    'none': 401, 'wrong key': 401, "other client's key": 404, 'own key': 200, 'admin key': 200,
    'own session': 200, "other client's session": 404, 'admin session': 200,
    'expired own session': 401, 'forged operator session': 401, 'tampered session': 401,
  },
  dashboard: {
    'none': 'login', 'wrong key': 'login', "other client's key": 'login', 'own key': 'login', 'admin key': 'login',
    'own session': 200, "other client's session": 404, 'admin session': 200,
    'expired own session': 'login', 'forged operator session': 'login', 'tampered session': 'login',
  },
  grafana: {
    'none': 'login', 'wrong key': 'login', "other client's key": 'login', 'own key': 'login', 'admin key': 'login',
    'own session': 'grafana', "other client's session": 404, 'admin session': 'grafana',
    'expired own session': 'login', 'forged operator session': 'login', 'tampered session': 'login',
  },
};

/** `GET /clients` (no client in the path): which clients each credential sees, credentials named from alpha's side. */
const CLIENT_LIST: Record<Credential, 401 | Target[]> = {
  'none': 401, 'wrong key': 401, "other client's key": ['beta'], 'own key': ['alpha'], 'admin key': ['alpha', 'beta'],
  'own session': ['alpha'], "other client's session": ['beta'], 'admin session': ['alpha', 'beta'],
  'expired own session': 401, 'forged operator session': 401, 'tampered session': 401,
};

// ---- the world ----

const upstreamHits: string[] = [];
const grafana = http.createServer((req, res) => {
  upstreamHits.push(req.url ?? '');
  res.end('{}');
});

type App = Awaited<ReturnType<typeof buildTestApp>>;
let app: App;
/** One app per client that knows only that client: what an isolated deployment would answer. */
const isolated = {} as Record<Target, App>;
let databases: TestDatabase[] = [];
const sessions = {} as Record<Target | 'admin', string>;
const expired = {} as Record<Target, string>;
/** The dashboard is served only when the front-end is built (`npm install` builds it); otherwise it is a 503 page. */
let dashboardBuilt = false;

beforeAll(async () => {
  const [alphaDb, betaDb] = await Promise.all([createTestDatabase('isolation_alpha'), createTestDatabase('isolation_beta')]);
  databases = [alphaDb!, betaDb!];
  const fixture = { kind: 'timestamp', chat: { role: 'role', text: 'message' }, leadSource: 'source' } as const;
  await Promise.all([
    loadChatFixture(alphaDb!.pool, 'public', { ...fixture, data: tenantData(MARKER.alpha, 0) }),
    loadChatFixture(betaDb!.pool, 'public', { ...fixture, data: tenantData(MARKER.beta, 2) }),
  ]);
  await new Promise<void>((resolve) => grafana.listen(0, '127.0.0.1', resolve));
  dashboardBuilt = readWebAssets() !== null; // read as the app reads it, just before it is built
  const clients = {
    alpha: { ...testClient('alpha', 'Australia/Sydney', alphaDb!.url), name: `Clinic ${MARKER.alpha}`, grafanaOrgId: ORG.alpha },
    beta: { ...testClient('beta', 'Europe/London', betaDb!.url), name: `Shop ${MARKER.beta}`, grafanaOrgId: ORG.beta },
  };
  for (const target of TARGETS) isolated[target] = await buildTestApp([clients[target]], { admin: KEYS.admin });
  app = await buildTestApp(
    [clients.alpha, clients.beta],
    {
      admin: KEYS.admin, clients: { alpha: KEYS.alpha, beta: KEYS.beta },
      grafanaUrl: `http://127.0.0.1:${(grafana.address() as AddressInfo).port}`,
      // One shared result cache, as in production: an answer cached for one client must never be served to another.
      cache: new ResultCache(new MemoryBackend(8 * 1024 * 1024), 60_000, { warn() {} }),
    },
  );
  sessions.alpha = await signIn(app, KEYS.alpha);
  sessions.beta = await signIn(app, KEYS.beta);
  sessions.admin = await signIn(app, KEYS.admin);
  expired.alpha = await expiredSession(app, KEYS.alpha);
  expired.beta = await expiredSession(app, KEYS.beta);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.all(Object.values(isolated).map((one) => one.close()));
  await new Promise((resolve) => grafana.close(resolve));
  await Promise.all(databases.map((db) => db.drop()));
});

function headersFor(credential: Credential, target: Target): Record<string, string> {
  const other = OTHER[target];
  switch (credential) {
    case 'none': return {};
    case 'wrong key': return bearer('wrong-key-0123456789abcdef');
    case "other client's key": return bearer(KEY[other]);
    case 'own key': return bearer(KEY[target]);
    case 'admin key': return bearer(KEYS.admin);
    case 'own session': return { cookie: sessions[target] };
    case "other client's session": return { cookie: sessions[other] };
    case 'admin session': return { cookie: sessions.admin };
    case 'expired own session': return { cookie: expired[target] };
    case 'forged operator session': return { cookie: forgedSession() };
    case 'tampered session': return { cookie: tampered(sessions[other]) };
  }
}

// ---- the routes: every OpenAPI path with {clientId} (JSON, and CSV where it has `format`), plus the HTML pages ----

interface Route {
  name: string;
  kind: RouteKind;
  url: (target: Target) => string;
  /** A 200 answer shows the target's marker (session ids, messages, sources, its name): proves the marker check bites. */
  showsMarker: boolean;
}

const SHOWS_TEXT = ['/api/{clientId}/sessions', '/api/{clientId}/sessions/{sessionId}', '/api/{clientId}/lead-sources'];

async function discoverRoutes(): Promise<Route[]> {
  const operations = (await documentedOperations()).filter((op) => op.method === 'GET' && op.path.includes('{clientId}'));
  return operations.flatMap((op) => {
    const names = queryParams(op).map((p) => p.name);
    const url = (target: Target, extra: string[]) => {
      const values: Record<string, string> = { clientId: target, sessionId: `${MARKER[target]}-s1` };
      const path = fillPath(op.path, Object.fromEntries(pathParams(op).map((name) => [name, encodeURIComponent(values[name]!)])));
      const query = [...(names.includes('from') ? [RANGE] : []), ...extra];
      return query.length > 0 ? `${path}?${query.join('&')}` : path;
    };
    const showsMarker = SHOWS_TEXT.includes(op.path);
    const json: Route = { name: op.path, kind: 'api', url: (t) => url(t, []), showsMarker };
    const csv: Route = { name: `${op.path} as CSV`, kind: 'api', url: (t) => url(t, ['format=csv']), showsMarker };
    return names.includes('format') ? [json, csv] : [json];
  });
}

const ROUTES: Route[] = [
  ...(await discoverRoutes()),
  { name: '/{clientId}/dashboard', kind: 'dashboard', url: (t) => `/${t}/dashboard`, showsMarker: true },
  { name: '/{clientId}/grafana', kind: 'grafana', url: (t) => `/${t}/grafana`, showsMarker: false },
];


const CASES = ROUTES.flatMap((route) => TARGETS.flatMap((target) => CREDENTIALS.map((credential) => ({
  route, target, credential, expected: EXPECTED[route.kind][credential],
  title: `${route.url(target)} with ${credential} → ${EXPECTED[route.kind][credential]}`,
}))));

/** Everything the caller gets back: status line aside, headers (Location, Content-Disposition…) and body. */
const answerText = (res: { headers: Record<string, unknown>; body: string }) => `${JSON.stringify(res.headers)}\n${res.body}`;

/** The body without what changes from one request to the next (when it was computed, how long the test took). */
function comparable(res: { headers: Record<string, unknown>; body: string }): string {
  if (!String(res.headers['content-type']).startsWith('application/json')) return res.body;
  return JSON.stringify(res.body ? JSON.parse(res.body, (key, value) => (key === 'generatedAt' || key === 'latencyMs' ? undefined : value)) : null);
}

const isolatedAnswers = new Map<string, Promise<string>>();
/** What the app that knows only `target` answers the admin for `url` (numbers carry no marker; this catches them). */
function isolatedAnswer(target: Target, url: string): Promise<string> {
  const key = `${target} ${url}`;
  if (!isolatedAnswers.has(key)) {
    isolatedAnswers.set(key, isolated[target].inject({ method: 'GET', url, headers: bearer(KEYS.admin) }).then(comparable));
  }
  return isolatedAnswers.get(key)!;
}

describe('the routes under test', () => {
  it('cover every client path of the OpenAPI document, with a CSV export for every range endpoint', () => {
    const names = ROUTES.map((r) => r.name);
    for (const metric of ['funnel', 'daily', 'hourly', 'heatmap', 'metrics', 'sessions', 'leads', 'time-to-convert', 'handoffs', 'conversations', 'lead-sources']) {
      expect(names).toContain(`/api/{clientId}/${metric}`);
      expect(names).toContain(`/api/{clientId}/${metric} as CSV`);
    }
    expect(names).toEqual(expect.arrayContaining(['/api/{clientId}/test', '/api/{clientId}/sessions/{sessionId}', '/{clientId}/dashboard', '/{clientId}/grafana']));
  });
});

describe('every route × every credential', () => {
  it.each(CASES.map((c) => [c.title, c] as const))('%s', async (_title, { route, target, credential, expected }) => {
    const url = route.url(target);
    const accept = route.kind === 'api' ? {} : { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const res = await app.inject({ method: 'GET', url, headers: { ...accept, ...headersFor(credential, target) } });
    const answer = answerText(res);

    // Nothing of the other client, ever; nothing of the target either unless the caller may read it.
    expect(answer).not.toContain(MARKER[OTHER[target]]);
    const granted = expected === 200 || expected === 'grafana';
    if (!granted) expect(answer).not.toContain(MARKER[target]);

    if (expected === 'login') {
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
    } else if (expected === 'grafana') {
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe(`/grafana/d/chatbot-${target}/user-events-analytics?orgId=${ORG[target]}`);
    } else if (expected === 200 && route.kind === 'dashboard' && !dashboardBuilt) {
      expect(res.statusCode).toBe(503);
    } else {
      expect(res.statusCode).toBe(expected);
    }
    if (route.kind === 'api' && expected !== 200) {
      expect(res.json()).toEqual({ error: { code: expected === 401 ? 'UNAUTHORIZED' : 'NOT_FOUND', message: expect.any(String) } });
    }
    if (expected === 200 && route.showsMarker && res.statusCode === 200) expect(answer).toContain(MARKER[target]);
    // Counts carry no marker: a granted answer must equal what a deployment serving only this client answers.
    if (expected === 200 && route.kind === 'api') expect(comparable(res)).toBe(await isolatedAnswer(target, url));
    if (expected === 200 && route.name.endsWith('as CSV')) expect(res.headers['content-type']).toMatch(/^text\/csv/);
  });
});

describe('GET /clients × every credential', () => {
  it.each(CREDENTIALS.map((credential) => [`with ${credential} → ${CLIENT_LIST[credential]}`, credential, CLIENT_LIST[credential]] as const))(
    '%s',
    async (_title, credential, expected) => {
      const res = await app.inject({ method: 'GET', url: '/clients', headers: headersFor(credential, 'alpha') });
      if (expected === 401) {
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
        expect(res.body).not.toMatch(/alpha|beta/);
        return;
      }
      expect(res.statusCode).toBe(200);
      expect(res.json().map((c: { id: string }) => c.id)).toEqual(expected);
      for (const target of TARGETS) {
        if (expected.includes(target)) expect(res.body).toContain(MARKER[target]);
        else expect(res.body).not.toContain(target);
      }
    },
  );
});

describe('a session ends when it is signed out', () => {
  it('refuses a cookie captured before sign-out, on the API and the pages', async () => {
    const cookie = await signIn(app, KEYS.alpha);
    expect((await app.inject({ method: 'GET', url: '/api/alpha/test', headers: { cookie } })).statusCode).toBe(200);
    const out = await app.inject({ method: 'POST', url: '/logout', headers: { cookie, origin: 'http://localhost' } });
    expect([out.statusCode, out.headers.location]).toEqual([303, '/login']);
    expect((await app.inject({ method: 'GET', url: '/api/alpha/test', headers: { cookie } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/alpha/dashboard', headers: { cookie, accept: 'text/html' } })).statusCode).toBe(302);
  });
});

describe('what a refusal gives away', () => {
  it("answers another client's path exactly like an unknown client's", async () => {
    for (const route of ROUTES) {
      const headers = route.kind === 'api' ? bearer(KEYS.alpha) : { cookie: sessions.alpha, accept: 'text/html' };
      const other = await app.inject({ method: 'GET', url: route.url('beta'), headers });
      const unknown = await app.inject({ method: 'GET', url: route.url('beta').replace(/^(\/api)?\/beta\//, '$1/nobody/'), headers });
      expect([route.name, other.statusCode]).toEqual([route.name, 404]);
      expect(other.body.replaceAll('beta', 'nobody')).toBe(unknown.body);
    }
  });

  it("does not find another client's session through the caller's own path", async () => {
    for (const format of ['', '?format=csv']) {
      const res = await app.inject({ method: 'GET', url: `/api/alpha/sessions/${MARKER.beta}-s1${format}`, headers: bearer(KEYS.alpha) });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Session not found' } });
    }
  });

  it('never contacts Grafana for the redirect, whoever asks', () => {
    expect(upstreamHits).toEqual([]);
  });
});
