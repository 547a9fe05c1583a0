import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type ClientOptions } from 'ws';
import { buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';
import { rawRequest } from '../helpers/rawHttp.ts';
import { expiredSession, forgedSession, tampered } from '../helpers/sessionCookies.ts';
import { updateUser } from '../../src/access/users.ts';
import { runtimeOf } from '../helpers/buildTestApp.ts';
import { isWrite, startFakeGrafana, type FakeGrafana } from '../helpers/fakeGrafana.ts';
import { addPerson, signInPerson, type PersonSpec } from '../helpers/people.ts';
import { GRAFANA_ADMIN_PASSWORD } from '../helpers/secrets.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;
interface Seen { method?: string; url?: string; headers: http.IncomingHttpHeaders; body?: string }

/** A stand-in for Grafana that records what reaches it, over HTTP and websockets. */
const seen: Seen[] = [];
const upstream = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: true }));
});
const wss = new WebSocketServer({ server: upstream });
wss.on('connection', (socket, req) => {
  seen.push({ url: req.url, headers: req.headers });
  socket.on('message', (data) => socket.send(`echo:${data}`));
});

let app: App;
let base: string;
const clients = [{ ...testClient('alpha', 'UTC', null), grafanaOrgId: 2 }, { ...testClient('beta', 'UTC', null), grafanaOrgId: 3 }];
const keys = { admin: KEYS.admin, clients: { alpha: KEYS.alpha, beta: KEYS.beta } };

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  app = await buildTestApp(clients, { ...keys, grafanaUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  wss.close();
  await new Promise((resolve) => upstream.close(resolve));
});

async function signIn(key: string, next = '/', at = base): Promise<{ status: number; location: string | null; cookie: string | null; setCookie: string }> {
  const res = await fetch(`${at}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: at }, // as a browser posts our own form
    body: new URLSearchParams({ key, next }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1];
  return { status: res.status, location: res.headers.get('location'), cookie: value ? `${SESSION_COOKIE}=${value}` : null, setCookie };
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { redirect: 'manual', headers });

describe('sign-in', () => {
  it('shows a sign-in form', async () => {
    const res = await get('/login?next=/alpha/grafana');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<input type="hidden" name="next" value="/alpha/grafana">');
  });

  it('sets a signed, httpOnly, SameSite session cookie for a valid key and goes to next', async () => {
    const result = await signIn(KEYS.alpha, '/alpha/grafana');
    expect(result.status).toBe(303);
    expect(result.location).toBe('/alpha/grafana');
    expect(result.setCookie).toMatch(/HttpOnly/i);
    expect(result.setCookie).toMatch(/SameSite=Lax/i);
    expect(result.setCookie).not.toContain(KEYS.alpha);
  });

  it('refuses a wrong key without a cookie and never redirects off-site', async () => {
    const wrong = await signIn('not-a-key-0123456789');
    expect([wrong.status, wrong.cookie]).toEqual([401, null]);
    expect((await signIn(KEYS.alpha, '//evil.example/x')).status).toBe(400);
    expect((await signIn(KEYS.alpha, '/\\evil.example')).status).toBe(400);
  });

  it('lists only the signed-in client on the home page', async () => {
    expect((await get('/')).headers.get('location')).toBe('/login');
    const { cookie } = await signIn(KEYS.alpha);
    const home = await (await get('/', { cookie: cookie! })).text();
    expect(home).toContain('href="/alpha/grafana"');
    expect(home).not.toContain('beta');
  });

  it('ends the session when the key it signed in with is rotated', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    const rotated = await buildTestApp(clients, { admin: KEYS.admin, clients: { alpha: 'alpha-rotated-0123456789', beta: KEYS.beta } });
    try {
      expect((await rotated.inject({ method: 'GET', url: '/clients', headers: { cookie: cookie! } })).statusCode).toBe(401);
    } finally {
      await rotated.close();
    }
  });

  it('lets a session read its own client through the API and nobody else', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    expect((await get('/clients', { cookie: cookie! })).status).toBe(200);
    expect(await (await get('/clients', { cookie: cookie! })).json()).toMatchObject([{ id: 'alpha' }]);
    expect((await get('/api/beta/test', { cookie: cookie! })).status).toBe(404);
  });

  it('rejects a forged or tampered session cookie', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    expect((await get('/clients', { cookie: forgedSession() })).status).toBe(401);
    expect((await get('/clients', { cookie: tampered(cookie!) })).status).toBe(401);
  });

  it('rejects an expired session', async () => {
    expect((await get('/clients', { cookie: await expiredSession(app, KEYS.alpha) })).status).toBe(401);
  });
});

describe('/{clientId}/grafana', () => {
  it('sends a browser without a session to sign in first', async () => {
    const res = await get('/alpha/grafana', { accept: 'text/html' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Falpha%2Fgrafana');
  });

  it("redirects to the client's dashboard in its own organization", async () => {
    const { cookie } = await signIn(KEYS.alpha);
    const res = await get('/alpha/grafana', { cookie: cookie! });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/grafana/d/chatbot-alpha/user-events-analytics?orgId=2');
  });

  it("answers 404 for another client's Grafana and lets the operator into any", async () => {
    const alpha = await signIn(KEYS.alpha);
    expect((await get('/beta/grafana', { cookie: alpha.cookie! })).status).toBe(404);
    const admin = await signIn(KEYS.admin);
    expect((await get('/beta/grafana', { cookie: admin.cookie! })).headers.get('location')).toContain('orgId=3');
  });
});

describe('/grafana/* proxy', () => {
  const spoofed = {
    'x-webauth-user': 'admin',
    'x-webauth-role': 'Admin',
    'x-webauth-email': 'boss@example.com',
    'x-grafana-org-id': '3',
    authorization: 'Basic YWRtaW46YWRtaW4=',
  };

  it('passes only the session user to Grafana, whatever the browser sends', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    seen.length = 0;
    const res = await get('/grafana/api/user?orgId=2', { ...spoofed, cookie: `${cookie}; grafana_session=stolen; grafana_session_expiry=1; theme=dark` });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    const { url, headers } = seen[0]!;
    expect(url).toBe('/grafana/api/user?orgId=2');
    expect(headers['x-webauth-user']).toBe('client-alpha');
    for (const name of ['x-webauth-role', 'x-webauth-email', 'x-grafana-org-id', 'authorization']) expect(headers[name]).toBeUndefined();
    expect(headers.cookie).toBe('theme=dark');
  });

  it('proxies the operator as the Grafana admin user', async () => {
    const { cookie } = await signIn(KEYS.admin);
    seen.length = 0;
    await get('/grafana/api/user', { cookie: cookie! });
    expect(seen[0]!.headers['x-webauth-user']).toBe('admin');
  });

  it('lets nothing through without a session', async () => {
    seen.length = 0;
    expect((await get('/grafana/api/user', spoofed)).status).toBe(401);
    expect((await get('/grafana/', { accept: 'text/html' })).status).toBe(302);
    expect(seen).toHaveLength(0);
  });

  it('passes Grafana Live websocket upgrades with the session user and no spoofed header', async () => {
    const { cookie } = await signIn(KEYS.beta);
    seen.length = 0;
    const socket = new WebSocket(`${base.replace('http', 'ws')}/grafana/api/live/ws`, { headers: { ...spoofed, cookie: `${cookie}; grafana_session=stolen` } });
    const reply = await new Promise<string>((resolve, reject) => {
      socket.on('open', () => socket.send('ping'));
      socket.on('message', (data) => resolve(String(data)));
      socket.on('error', reject);
    });
    socket.close();
    expect(reply).toBe('echo:ping');
    const { url, headers } = seen[0]!;
    expect(url).toBe('/grafana/api/live/ws');
    expect(headers['x-webauth-user']).toBe('client-beta');
    for (const name of ['x-webauth-role', 'x-grafana-org-id', 'authorization']) expect(headers[name]).toBeUndefined();
    expect(headers.cookie ?? '').not.toMatch(/grafana_session|ca_session/);
  });

  it('refuses a websocket upgrade without a session', async () => {
    seen.length = 0;
    const socket = new WebSocket(`${base.replace('http', 'ws')}/grafana/api/live/ws`, { headers: spoofed });
    const outcome = await new Promise<string>((resolve) => {
      socket.on('open', () => resolve('open'));
      socket.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
      socket.on('error', () => resolve('error'));
    });
    expect(outcome).toBe('status 401');
    expect(seen).toHaveLength(0);
  });
});

/**
 * What a probe sent through /grafana/, in its own spelling (Node lower-cases names but keeps `x_webauth_user` as a
 * name of its own). None of it may reach Grafana as sent.
 */
const PROBE: [string, string][] = [
  ['X-Forwarded-For', '203.0.113.66'], ['X_Forwarded_For', '203.0.113.67'], ['X-Forwarded-Host', 'evil.example'],
  ['X-Forwarded-Proto', 'gopher'], ['X-Forwarded-User', 'admin'], ['x-forwarded-user', 'admin'],
  ['X-WEBAUTH-USER', 'admin'], ['x-webauth-USER', 'admin'], ['X_WEBAUTH_USER', 'admin'], ['X-WEBAUTH-ROLE', 'Admin'],
  ['X-Grafana-Org-Id', '3'], ['X-DS-Authorization', 'Basic c3Bvb2Y6c3Bvb2Y='], ['Proxy-Authorization', 'Basic c3Bvb2Y6c3Bvb2Y='],
  ['Authorization', 'Basic c3Bvb2Y6c3Bvb2Y='], ['Forwarded', 'for=203.0.113.66;host=evil.example'], ['X-Real-IP', '203.0.113.66'],
];
/** Probe values that must appear under no name at all. */
const PROBE_VALUES = /203\.0\.113|evil\.example|gopher|c3Bvb2Y/;
/** Names the proxy itself sets, or the HTTP client / websocket handshake makes. */
const OWN_NAMES = ['host', 'connection', 'cookie', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-webauth-user',
  'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions'];

const portOf = (url: string) => Number(new URL(url).port);
/** What fetch itself adds (it also sends sec-fetch-mode, which is not passed on). */
const FETCH_DEFAULTS = ['accept', 'accept-language', 'accept-encoding', 'user-agent'];

/** The upstream saw our X-Forwarded-* and session user, and nothing of the probe: no value, no name outside the allow-list. */
function expectOnlyOurs(headers: http.IncomingHttpHeaders, allowed: string[], forwarded = { for: '127.0.0.1', host: `127.0.0.1:${portOf(base)}`, proto: 'http' }) {
  expect(headers['x-webauth-user']).toBe('client-alpha');
  expect([headers['x-forwarded-for'], headers['x-forwarded-host'], headers['x-forwarded-proto']]).toEqual([forwarded.for, forwarded.host, forwarded.proto]);
  expect(Object.keys(headers).filter((name) => !OWN_NAMES.includes(name) && !allowed.includes(name))).toEqual([]);
  expect(Object.entries(headers).filter(([, value]) => PROBE_VALUES.test(String(value)))).toEqual([]);
  for (const [name, value] of PROBE) expect([name, headers[name.toLowerCase()]]).not.toEqual([name, value]);
}

/** A websocket handshake with header lines exactly as given; resolves with the status, the socket left open. */
function rawUpgrade(port: number, path: string, lines: string[]): Promise<{ status: number; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), socket });
    });
    socket.on('error', reject);
    const key = Buffer.from(Array.from({ length: 16 }, (_, i) => i)).toString('base64');
    socket.write([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
      'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`, ...lines, '', ''].join('\r\n'));
  });
}

async function until(condition: () => boolean) {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
}

/** Opens a websocket with the ws client; resolves 'echo:ping' when it went through, else the refusal. */
function openSocket(url: string, options: ClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, options);
    socket.on('open', () => socket.send('ping'));
    socket.on('message', (data) => {
      resolve(String(data));
      socket.close();
    });
    socket.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
    socket.on('error', () => resolve('error'));
  });
}

describe('/grafana/* forwards only the headers Grafana needs', () => {
  it('passes none of the probe over HTTP, in any spelling, and sets X-Forwarded-* and X-WEBAUTH-USER itself', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    seen.length = 0;
    const lines = [`Host: 127.0.0.1:${portOf(base)}`, `Cookie: ${cookie}`, ...PROBE.map(([name, value]) => `${name}: ${value}`), 'Connection: close'];
    const answer = await rawRequest(portOf(base), `GET /grafana/api/user HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    expect(answer.status).toBe(200);
    expect(seen).toHaveLength(1);
    expectOnlyOurs(seen[0]!.headers, []);
    expect(seen[0]!.headers.cookie).toBeUndefined(); // only our session cookie was sent, and it never goes upstream
  });

  it("passes the headers Grafana's own UI sends with a panel query, with the body, and drops X-Grafana-Org-Id", async () => {
    const { cookie } = await signIn(KEYS.alpha);
    seen.length = 0;
    const ui = {
      accept: 'application/json, text/plain, */*', 'accept-language': 'en-AU,en;q=0.9', 'cache-control': 'no-cache',
      'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (test)', 'x-grafana-device-id': '7d176f143a3a1d8d4f0034e8a7d0125a',
      'x-plugin-id': 'grafana-postgresql-datasource', 'x-datasource-uid': 'chatbot-analytics-pg', 'x-dashboard-uid': 'chatbot-alpha',
      'x-dashboard-title': 'User Events Analytics', 'x-panel-id': '2', 'x-panel-title': 'Funnel', 'x-panel-plugin-id': 'bargauge',
      'x-query-group-id': 'c2c4d1a0', 'x-grafana-nocache': 'true', 'x-cache-skip': 'true', 'x-grafana-from-expr': 'true',
    };
    const body = JSON.stringify({ queries: [{ refId: 'A', datasource: { uid: 'chatbot-analytics-pg' } }], from: '1', to: '2' });
    const res = await fetch(`${base}/grafana/api/ds/query?ds_type=grafana-postgresql-datasource`, {
      // Origin: a browser's fetch from Grafana's own page sends it (a POST without it is refused as cross-site).
      method: 'POST', body, headers: { ...ui, origin: base, 'x-grafana-org-id': '2', cookie: `${cookie}; redirect_to=%2Fgrafana%2F` },
    });
    expect(res.status).toBe(200);
    const { method, headers, body: received } = seen[0]!;
    expect([method, received]).toEqual(['POST', body]);
    for (const [name, value] of Object.entries(ui)) expect([name, headers[name]]).toEqual([name, value]);
    expect(headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(headers['x-grafana-org-id']).toBeUndefined();
    expect(headers.cookie).toBe('redirect_to=%2Fgrafana%2F');
    expectOnlyOurs(headers, [...Object.keys(ui), 'content-length', 'accept-encoding']);
  });

  it('passes conditional and range requests for static files', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    seen.length = 0;
    const conditional = { 'if-none-match': '"abc"', 'if-modified-since': 'Mon, 08 Apr 2024 02:00:00 GMT', range: 'bytes=0-99' };
    expect((await get('/grafana/public/build/app.js', { ...conditional, cookie: cookie! })).status).toBe(200);
    for (const [name, value] of Object.entries(conditional)) expect([name, seen[0]!.headers[name]]).toEqual([name, value]);
    expect(seen[0]!.headers['accept-encoding']).toBeTruthy(); // fetch picks its own value; it arrives as sent
    expectOnlyOurs(seen[0]!.headers, [...FETCH_DEFAULTS, 'cache-control', ...Object.keys(conditional)]); // fetch adds cache-control to conditional requests
  });

  it('passes none of the probe over the websocket either, and sets X-Forwarded-* and X-WEBAUTH-USER itself', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    seen.length = 0;
    const lines = [`Cookie: ${cookie}; theme=dark`, `Origin: ${base}`, 'User-Agent: Mozilla/5.0 (test)', ...PROBE.map(([name, value]) => `${name}: ${value}`)];
    const { status, socket } = await rawUpgrade(portOf(base), '/grafana/api/live/ws', lines);
    await until(() => seen.length > 0);
    socket.destroy();
    expect(status).toBe(101);
    const { url, headers } = seen[0]!;
    expect(url).toBe('/grafana/api/live/ws');
    expectOnlyOurs(headers, ['user-agent']);
    expect([headers.cookie, headers['user-agent'], headers.origin]).toEqual(['theme=dark', 'Mozilla/5.0 (test)', undefined]);
  });

  it('refuses a websocket upgrade from a foreign Origin with 403 despite a valid session, before contacting Grafana', async () => {
    const { cookie } = await signIn(KEYS.alpha);
    seen.length = 0;
    const port = portOf(base);
    for (const origin of ['https://evil.example', 'null', `https://127.0.0.1:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port + 1}`]) {
      expect([origin, await openSocket(`ws://127.0.0.1:${port}/grafana/api/live/ws`, { headers: { cookie: cookie! }, origin })]).toEqual([origin, 'status 403']);
    }
    expect(seen).toEqual([]);
  });

  it("upgrades a websocket from this platform's own Origin", async () => {
    const { cookie } = await signIn(KEYS.alpha);
    seen.length = 0;
    expect(await openSocket(`${base.replace('http', 'ws')}/grafana/api/live/ws`, { headers: { cookie: cookie! }, origin: base })).toBe('echo:ping');
    expect(seen[0]!.headers['x-webauth-user']).toBe('client-alpha');
  });
});

describe('/grafana/* behind a load balancer (TRUST_PROXY=1)', () => {
  let behind: App;
  let at: string;
  beforeAll(async () => {
    behind = await buildTestApp(clients, { ...keys, grafanaUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, limits: { trustProxy: true } });
    at = await behind.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => behind?.close());
  const viaBalancer = { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'platform.example' };

  it("forwards the real client's address, host and protocol, as Fastify sees them through the balancer", async () => {
    const { cookie } = await signIn(KEYS.alpha, '/', at);
    seen.length = 0;
    expect((await fetch(`${at}/grafana/api/user`, { headers: { ...viaBalancer, cookie: cookie! } })).status).toBe(200);
    expectOnlyOurs(seen[0]!.headers, FETCH_DEFAULTS, { for: '198.51.100.7', host: 'platform.example', proto: 'https' });
  });

  it("takes the platform's own origin from the balancer's X-Forwarded-Proto and -Host for the websocket check", async () => {
    const { cookie } = await signIn(KEYS.alpha, '/', at);
    const url = `${at.replace('http', 'ws')}/grafana/api/live/ws`;
    expect(await openSocket(url, { headers: { ...viaBalancer, cookie: cookie! }, origin: 'https://platform.example' })).toBe('echo:ping');
    expect(await openSocket(url, { headers: { ...viaBalancer, cookie: cookie! }, origin: 'http://platform.example' })).toBe('status 403');
  });
});

describe('without GRAFANA_URL', () => {
  it('answers a clear 503 page on every Grafana path', async () => {
    const bare = await buildTestApp(clients, keys);
    try {
      const headers = { authorization: `Bearer ${KEYS.admin}` };
      for (const url of ['/grafana/', '/grafana/api/health', '/alpha/grafana']) {
        const res = await bare.inject({ method: 'GET', url, headers });
        expect(res.statusCode).toBe(503);
        expect(res.body).toContain('GRAFANA_URL is not set');
      }
    } finally {
      await bare.close();
    }
  });
});

/**
 * People sign in to Grafana as themselves: the fake Grafana is both the API the platform makes their users with and
 * Grafana behind its auth proxy (it signs in only users that exist, `auto_sign_up = false`, as in our Compose file).
 */
describe('/grafana/* for people', () => {
  let grafana: FakeGrafana;
  let site: App;
  let at: string;
  beforeAll(async () => {
    grafana = await startFakeGrafana({ adminPassword: GRAFANA_ADMIN_PASSWORD });
    for (const name of ['Client alpha', 'Client beta']) grafana.createOrg(name).members.set(1, 'Admin'); // orgs 2 and 3
    site = await buildTestApp(clients, { ...keys, grafanaUrl: grafana.url, grafanaAdminPassword: GRAFANA_ADMIN_PASSWORD });
    at = await site.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await site?.close();
    await grafana?.close();
  });

  let n = 0;
  /** A new person each time (people are never shared between tests), signed in. */
  async function person(spec: Omit<PersonSpec, 'email'>, name?: string) {
    const user = await addPerson(site, { ...spec, email: `person${++n}@people.example` });
    if (name) await updateUser(runtimeOf(site).platform.pool, user.id, { name });
    return { user, cookie: await signInPerson(site, user.email) };
  }
  const proxiedSince = (start: number) => grafana.proxied.slice(start);
  const orgsOfUser = (login: string) => {
    const user = [...grafana.users.values()].find((u) => u.login === login);
    return user ? grafana.membershipsOf(user.id) : null;
  };
  const getAt = (path: string, cookie: string, headers: Record<string, string> = {}) => fetch(`${at}${path}`, { headers: { ...headers, cookie }, redirect: 'manual' });

  it("forwards a member's session as their own login, their Grafana user made first with alpha's org only", async () => {
    const { user, cookie } = await person({ role: 'member', clients: { alpha: 'viewer' } }, 'Ann Lee');
    const start = grafana.proxied.length;
    const res = await getAt('/grafana/api/user/orgs', cookie, { 'x-webauth-user': 'admin', 'x-webauth-email': 'admin@localhost', 'x-webauth-name': 'Boss' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ orgId: 2, name: 'Client alpha', role: 'Viewer' }]);
    const [seenByGrafana] = proxiedSince(start);
    expect(seenByGrafana!.signedInAs).toBe(`person-${user.id}`);
    expect(seenByGrafana!.headers['x-webauth-user']).toBe(`person-${user.id}`);
    expect(seenByGrafana!.headers['x-webauth-name']).toBe('Ann Lee');
    expect(seenByGrafana!.headers['x-webauth-email']).toBeUndefined(); // never: Grafana would look people up by it first
  });

  it('sends a name any Grafana decodes back exactly (quoted-printable, headers_encoded = true)', async () => {
    const { user, cookie } = await person({ role: 'member', clients: { beta: 'viewer' } }, 'Zoë = Ångström 李');
    const start = grafana.proxied.length;
    expect((await getAt('/grafana/api/user', cookie)).status).toBe(200);
    expect(proxiedSince(start)[0]!.headers['x-webauth-name']).toBe('Zo=C3=AB =3D =C3=85ngstr=C3=B6m =E6=9D=8E');
    expect([...grafana.users.values()].find((u) => u.login === `person-${user.id}`)!.name).toBe('Zoë = Ångström 李');
  });

  it('keeps the shared client-alpha login for a legacy client key session, and sends no name', async () => {
    const cookie = await signIn(KEYS.alpha, '/', at).then((result) => result.cookie!);
    grafana.createUser('client-alpha', { 2: 'Viewer' }); // what grafana:sync makes for the client
    const start = grafana.proxied.length;
    const writes = grafana.requests.filter(isWrite).length;
    expect((await getAt('/grafana/api/user', cookie)).status).toBe(200);
    expect(proxiedSince(start).map((r) => [r.headers['x-webauth-user'], r.headers['x-webauth-name']])).toEqual([['client-alpha', undefined]]);
    expect(grafana.requests.filter(isWrite).length).toBe(writes); // a shared login is grafana:sync's, not the proxy's
  });

  it('gives an operator assigned alpha and beta both orgs, and takes beta away at their next request', async () => {
    const { user, cookie } = await person({ role: 'operator', clients: { alpha: 'viewer', beta: 'viewer' } });
    const login = `person-${user.id}`;
    expect(await (await getAt('/grafana/api/user/orgs', cookie)).json()).toEqual([
      { orgId: 2, name: 'Client alpha', role: 'Viewer' }, { orgId: 3, name: 'Client beta', role: 'Viewer' },
    ]);
    await updateUser(runtimeOf(site).platform.pool, user.id, { clients: { alpha: 'viewer' } }); // no sync has run since
    const start = grafana.proxied.length;
    expect(await (await getAt('/grafana/api/user/orgs', cookie)).json()).toEqual([{ orgId: 2, name: 'Client alpha', role: 'Viewer' }]);
    expect(orgsOfUser(login)).toEqual([[2, 'Viewer']]);
    expect(proxiedSince(start)).toHaveLength(1); // forwarded once, after the membership was gone
  });

  it('prepares a new person once for the many requests of a first page load', async () => {
    const { cookie } = await person({ role: 'member', clients: { alpha: 'viewer' } });
    const start = grafana.requests.length;
    const answers = await Promise.all(Array.from({ length: 6 }, () => getAt('/grafana/api/user', cookie)));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(grafana.requests.slice(start).filter((r) => r.method === 'POST' && r.path === '/api/admin/users')).toHaveLength(1);
  });

  it('passes Grafana Live websocket upgrades of a person as their own login', async () => {
    const { user, cookie } = await person({ role: 'member', clients: { beta: 'viewer' } });
    const start = grafana.proxied.length;
    expect(await openSocket(`${at.replace('http', 'ws')}/grafana/api/live/ws`, { headers: { cookie }, origin: at })).toBe('echo:ping');
    expect(proxiedSince(start).map((r) => [r.path, r.signedInAs])).toEqual([['/grafana/api/live/ws', `person-${user.id}`]]);
  });

  it('refuses a person none of whose clients is in Grafana, before Grafana sees the request', async () => {
    const { cookie } = await person({ role: 'operator', clients: {} });
    const start = grafana.proxied.length;
    const res = await getAt('/grafana/api/user', cookie);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'None of the clients you may see has a Grafana organization yet.' } });
    expect(proxiedSince(start)).toEqual([]);
  });

  it('forwards nothing for a person whose Grafana user cannot be prepared (the admin credentials are refused)', async () => {
    const wrong = await buildTestApp(clients, { ...keys, grafanaUrl: grafana.url, grafanaAdminPassword: 'not-the-admin-password-1' });
    try {
      const user = await addPerson(wrong, { email: 'stuck@people.example', role: 'member', clients: { alpha: 'viewer' } });
      const cookie = await signInPerson(wrong, user.email);
      const start = grafana.proxied.length;
      const res = await wrong.inject({ method: 'GET', url: '/grafana/api/user', headers: { cookie, accept: 'text/html' } });
      expect(res.statusCode).toBe(502);
      expect(res.body).toContain('Grafana could not be prepared for you');
      expect(proxiedSince(start)).toEqual([]);
    } finally {
      await wrong.close();
    }
  });
});

describe('/grafana/* for people without GRAFANA_ADMIN_PASSWORD', () => {
  it('answers a clear 503 and never contacts Grafana: nobody could make their Grafana user', async () => {
    const user = await addPerson(app, { email: 'nobody-made-me@people.example', role: 'member', clients: { alpha: 'viewer' } });
    const cookie = await signInPerson(app, user.email);
    seen.length = 0;
    const res = await app.inject({ method: 'GET', url: '/grafana/api/user', headers: { cookie } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.message).toContain('GRAFANA_ADMIN_PASSWORD');
    expect(seen).toEqual([]);
  });
});
