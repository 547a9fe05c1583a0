import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * An in-process stand-in for Grafana 12's HTTP API: only the endpoints grafana:sync calls, with the documented
 * behaviour (basic auth, org ids from 1 = Main Org., 409 on a taken org name, org-scoped data sources and dashboards
 * via X-Grafana-Org-Id, dashboard versions and 412, users — unique logins and emails, compared case-insensitively —
 * the paged user search, and memberships). New users are also put into org 1 as Viewers, like `auto_assign_org`, so
 * the sync has to take them out. Every API request is recorded.
 *
 * Under `/grafana/` (served from the sub-path) it is Grafana behind its auth proxy, configured as our Compose file
 * configures it: the user named by `X-WEBAUTH-USER` (quoted-printable decoded, `headers_encoded = true`), never
 * created (`auto_sign_up = false`: an unknown login is a 401), its name taken from `X-WEBAUTH-NAME`
 * (`headers = Name:X-WEBAUTH-NAME`); `/grafana/api/user` and `/grafana/api/user/orgs` answer who that is. Those
 * requests are recorded apart, in `proxied`, with their headers.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  orgHeader: string | null;
  body: unknown;
}
export interface FakeDatasource {
  id: number; uid: string; orgId: number; name: string; type: string; access: string; url: string; user: string;
  isDefault: boolean; readOnly: boolean; jsonData: Record<string, unknown>; secureJsonData: Record<string, string>; version: number;
}
export interface FakeOrg {
  id: number;
  name: string;
  members: Map<number, string>;
  prefs: { timezone: string; homeDashboardUID: string };
  datasources: Map<string, FakeDatasource>;
  dashboards: Map<string, { id: number; version: number; json: Record<string, unknown> }>;
}
export interface FakeUser { id: number; login: string; email: string; name: string; password: string; isGrafanaAdmin: boolean }
export interface ProxiedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The user the auth proxy signed the request in as (null: refused). */
  signedInAs: string | null;
  status: number;
}
export interface FakeGrafana {
  url: string;
  requests: RecordedRequest[];
  /** Requests to endpoints the fake does not implement (the sync should send none). */
  unmatched: RecordedRequest[];
  /** Requests through the auth proxy (under `/grafana/`). */
  proxied: ProxiedRequest[];
  orgs: Map<number, FakeOrg>;
  users: Map<number, FakeUser>;
  createOrg(name: string): FakeOrg;
  /** A user made by hand in Grafana (not by the platform), with these memberships. */
  createUser(login: string, memberships?: Record<number, string>, email?: string): FakeUser;
  /** The user's memberships as [orgId, role], by org id. */
  membershipsOf(userId: number): [number, string][];
  /** Runs before each request is handled: lets a test act as a concurrent operator. */
  beforeRequest: ((method: string, path: string) => void) | null;
  close(): Promise<void>;
}

type Reply = [number, unknown];
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const isWrite = (request: RecordedRequest) => WRITES.has(request.method);

export async function startFakeGrafana(options: { adminUser?: string; adminPassword?: string } = {}): Promise<FakeGrafana> {
  const ids = { org: 0, user: 0, datasource: 0, dashboard: 0 };
  const orgs = new Map<number, FakeOrg>();
  const users = new Map<number, FakeUser>();
  const createOrg = (name: string): FakeOrg => {
    const org: FakeOrg = { id: ++ids.org, name, members: new Map(), prefs: { timezone: '', homeDashboardUID: '' }, datasources: new Map(), dashboards: new Map() };
    orgs.set(org.id, org);
    return org;
  };
  const admin: FakeUser = {
    id: ++ids.user, login: options.adminUser ?? 'admin', email: 'admin@localhost', name: 'admin', password: options.adminPassword ?? 'admin-secret', isGrafanaAdmin: true,
  };
  users.set(admin.id, admin);
  createOrg('Main Org.').members.set(admin.id, 'Admin');

  const orgByName = (name: string) => [...orgs.values()].find((org) => org.name === name);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const userByLogin = (login: string) => [...users.values()].find((user) => same(user.login, login));
  // Grafana's GetByLogin: the login first, then the email.
  const userByLoginOrEmail = (value: string) => userByLogin(value) ?? [...users.values()].find((user) => same(user.email, value));
  const taken = (login: string, email: string, except?: number) =>
    [...users.values()].some((user) => user.id !== except && (same(user.login, login) || same(user.email, email) || same(user.login, email) || same(user.email, login)));
  const profile = (user: FakeUser) => ({ id: user.id, login: user.login, email: user.email, name: user.name, isGrafanaAdmin: user.isGrafanaAdmin, isDisabled: false });
  const membershipsOf = (userId: number): [number, string][] =>
    [...orgs.values()].filter((org) => org.members.has(userId)).map((org) => [org.id, org.members.get(userId)!]);
  const createUser = (login: string, memberships: Record<number, string> = {}, email = login): FakeUser => {
    const user: FakeUser = { id: ++ids.user, login, email, name: login, password: 'made-by-hand-0815', isGrafanaAdmin: false };
    users.set(user.id, user);
    for (const [orgId, role] of Object.entries(memberships)) orgs.get(Number(orgId))!.members.set(user.id, role);
    return user;
  };
  const notFound = (what: string): Reply => [404, { message: `${what} not found` }];
  const dsView = ({ secureJsonData, ...ds }: FakeDatasource) => ({
    ...ds, database: '', basicAuth: false, secureJsonFields: Object.fromEntries(Object.keys(secureJsonData).map((key) => [key, true])),
  });

  type Handler = (match: string[], body: any, query: URLSearchParams, org: () => FakeOrg) => Reply;
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/api\/user$/, () => [200, { id: admin.id, login: admin.login, isGrafanaAdmin: true, orgId: 1 }]],
    ['GET', /^\/api\/orgs\/(\d+)$/, ([id]) => { const org = orgs.get(Number(id)); return org ? [200, { id: org.id, name: org.name }] : notFound('Organization'); }],
    ['GET', /^\/api\/orgs\/name\/(.+)$/, ([name]) => { const org = orgByName(decodeURIComponent(name!)); return org ? [200, { id: org.id, name: org.name }] : notFound('Organization'); }],
    ['POST', /^\/api\/orgs$/, (_m, body) => {
      if (orgByName(body.name)) return [409, { message: 'Organization name taken' }];
      const org = createOrg(body.name);
      org.members.set(admin.id, 'Admin'); // the creator becomes the new org's Admin
      return [200, { orgId: org.id, message: 'Organization created' }];
    }],
    ['PUT', /^\/api\/orgs\/(\d+)$/, ([id], body) => {
      const org = orgs.get(Number(id));
      if (!org) return notFound('Organization');
      if (orgByName(body.name) && orgByName(body.name) !== org) return [409, { message: 'Organization name taken' }];
      org.name = body.name;
      return [200, { message: 'Organization updated' }];
    }],
    ['GET', /^\/api\/orgs\/(\d+)\/users$/, ([id]) => {
      const org = orgs.get(Number(id));
      if (!org) return notFound('Organization');
      return [200, [...org.members].map(([userId, role]) => ({ orgId: org.id, userId, login: users.get(userId)!.login, role }))];
    }],
    ['POST', /^\/api\/orgs\/(\d+)\/users$/, ([id], body) => {
      const org = orgs.get(Number(id));
      const user = userByLoginOrEmail(body.loginOrEmail);
      if (!org || !user) return notFound(org ? 'User' : 'Organization');
      if (org.members.has(user.id)) return [409, { message: 'User is already member of this organization' }];
      org.members.set(user.id, body.role);
      return [200, { message: 'User added to organization', userId: user.id }];
    }],
    ['PATCH', /^\/api\/orgs\/(\d+)\/users\/(\d+)$/, ([id, userId], body) => {
      const org = orgs.get(Number(id));
      if (!org?.members.has(Number(userId))) return notFound('User');
      org.members.set(Number(userId), body.role);
      return [200, { message: 'Organization user updated' }];
    }],
    ['DELETE', /^\/api\/orgs\/(\d+)\/users\/(\d+)$/, ([id, userId]) => {
      const org = orgs.get(Number(id));
      if (!org?.members.delete(Number(userId))) return notFound('User');
      return [200, { message: 'User removed from organization' }];
    }],
    ['GET', /^\/api\/users\/lookup$/, (_m, _b, query) => {
      const user = userByLoginOrEmail(query.get('loginOrEmail') ?? '');
      return user ? [200, { ...profile(user), orgId: membershipsOf(user.id)[0]?.[0] ?? 0 }] : notFound('user');
    }],
    ['GET', /^\/api\/users\/search$/, (_m, _b, query) => {
      const perPage = Number(query.get('perpage')) > 0 ? Number(query.get('perpage')) : 1000;
      const page = Math.max(1, Number(query.get('page')) || 1);
      const text = (query.get('query') ?? '').toLowerCase();
      const matching = [...users.values()]
        .filter((user) => [user.login, user.email, user.name].some((field) => field.toLowerCase().includes(text)))
        .sort((a, b) => (a.login < b.login ? -1 : 1));
      const shown = matching.slice((page - 1) * perPage, page * perPage)
        .map((user) => ({ id: user.id, name: user.name, login: user.login, email: user.email, isAdmin: user.isGrafanaAdmin, isDisabled: false }));
      return [200, { totalCount: matching.length, users: shown, page, perPage }];
    }],
    ['PUT', /^\/api\/users\/(\d+)$/, ([id], body) => {
      const user = users.get(Number(id));
      if (!user) return notFound('User');
      const login = body.login || body.email;
      if (!login) return [400, { message: 'Validation error, need to specify either username or email' }];
      const email = body.email || login;
      if (taken(login, email, user.id)) return [409, { message: 'Update would result in user login conflict' }];
      Object.assign(user, { login, email, name: body.name ?? '' });
      return [200, { message: 'User updated' }];
    }],
    ['DELETE', /^\/api\/admin\/users\/(\d+)$/, ([id]) => {
      const user = users.get(Number(id));
      if (!user) return notFound('User');
      users.delete(user.id);
      for (const org of orgs.values()) org.members.delete(user.id);
      return [200, { message: 'User deleted' }];
    }],
    ['GET', /^\/api\/users\/(\d+)\/orgs$/, ([id]) => [200, [...orgs.values()]
      .filter((org) => org.members.has(Number(id)))
      .map((org) => ({ orgId: org.id, name: org.name, role: org.members.get(Number(id)) }))]],
    ['POST', /^\/api\/admin\/users$/, (_m, body) => {
      const email = body.email || body.login; // Grafana: no email, the login is the email
      if (taken(body.login, email)) return [412, { message: `User with email '${email}' or username '${body.login}' already exists` }];
      if (body.OrgId !== undefined && !orgs.has(body.OrgId)) return notFound('Organization');
      const user: FakeUser = { id: ++ids.user, login: body.login, email, name: body.name ?? '', password: body.password, isGrafanaAdmin: false };
      users.set(user.id, user);
      orgs.get(body.OrgId ?? 1)!.members.set(user.id, 'Viewer');
      orgs.get(1)!.members.set(user.id, 'Viewer'); // auto_assign_org = true, auto_assign_org_id = 1
      return [200, { id: user.id, message: 'User created' }];
    }],
    ['PUT', /^\/api\/admin\/users\/(\d+)\/permissions$/, ([id], body) => {
      const user = users.get(Number(id));
      if (!user) return notFound('User');
      user.isGrafanaAdmin = body.isGrafanaAdmin;
      return [200, { message: 'User permissions updated' }];
    }],
    ['GET', /^\/api\/org\/preferences$/, (_m, _b, _q, org) => [200, { theme: '', homeDashboardId: 0, weekStart: '', ...org().prefs }]],
    ['PATCH', /^\/api\/org\/preferences$/, (_m, body, _q, org) => {
      Object.assign(org().prefs, body);
      return [200, { message: 'Preferences updated' }];
    }],
    ['GET', /^\/api\/datasources\/uid\/([^/]+)$/, ([uid], _b, _q, org) => {
      const ds = org().datasources.get(uid!);
      return ds ? [200, dsView(ds)] : notFound('Data source');
    }],
    ['POST', /^\/api\/datasources$/, (_m, body, _q, org) => {
      const target = org();
      if ([...target.datasources.values()].some((ds) => ds.name === body.name)) return [409, { message: 'data source with the same name already exists' }];
      if (target.datasources.has(body.uid)) return [409, { message: 'data source with the same uid already exists' }];
      const { secureJsonData, ...fields } = body;
      const ds: FakeDatasource = { ...fields, id: ++ids.datasource, orgId: target.id, readOnly: false, version: 1, secureJsonData: secureJsonData ?? {} };
      target.datasources.set(ds.uid, ds);
      return [200, { datasource: dsView(ds), id: ds.id, message: 'Datasource added', name: ds.name }];
    }],
    ['PUT', /^\/api\/datasources\/uid\/([^/]+)$/, ([uid], body, _q, org) => {
      const ds = org().datasources.get(uid!);
      if (!ds) return notFound('Data source');
      if (ds.readOnly) return [403, { message: 'Cannot update read-only data source' }];
      const { secureJsonData, ...fields } = body;
      Object.assign(ds, fields, { secureJsonData: { ...ds.secureJsonData, ...secureJsonData }, version: ds.version + 1 });
      return [200, { datasource: dsView(ds), id: ds.id, message: 'Datasource updated', name: ds.name }];
    }],
    ['GET', /^\/api\/dashboards\/uid\/([^/]+)$/, ([uid], _b, _q, org) => {
      const stored = org().dashboards.get(uid!);
      if (!stored) return notFound('Dashboard');
      return [200, { dashboard: sortKeys({ ...stored.json, id: stored.id, uid, version: stored.version }), meta: { folderUid: '', provisioned: false } }];
    }],
    ['POST', /^\/api\/dashboards\/db$/, (_m, body, _q, org) => {
      const target = org();
      const dashboard = body.dashboard as Record<string, unknown>;
      const uid = String(dashboard.uid);
      const existing = target.dashboards.get(uid);
      if (existing && !body.overwrite) {
        if (dashboard.version == null) return [412, { status: 'name-exists', message: 'A dashboard with the same uid already exists' }];
        if (dashboard.version !== existing.version) return [412, { status: 'version-mismatch', message: 'The dashboard has been changed by someone else' }];
      }
      const sameTitle = [...target.dashboards].some(([other, d]) => other !== uid && d.json.title === dashboard.title);
      if (sameTitle && !body.overwrite) return [412, { status: 'name-exists', message: 'A dashboard with the same name in the folder already exists' }];
      const saved = { id: existing?.id ?? ++ids.dashboard, version: (existing?.version ?? 0) + 1, json: JSON.parse(JSON.stringify(dashboard)) };
      target.dashboards.set(uid, saved);
      return [200, { id: saved.id, uid, url: `/d/${uid}`, status: 'success', version: saved.version }];
    }],
  ];

  const requests: RecordedRequest[] = [];
  const unmatched: RecordedRequest[] = [];
  const proxied: ProxiedRequest[] = [];
  const fake: FakeGrafana = { url: '', requests, unmatched, proxied, orgs, users, createOrg, createUser, membershipsOf, beforeRequest: null, close: async () => {} };

  /** Grafana's auth proxy (`pkg/services/authn/clients/proxy.go`) with our settings, and the two "who am I" endpoints. */
  const authProxy = (req: IncomingMessage, url: URL): Reply => {
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? decodeQuotedPrintable(value) : '';
    };
    const login = header('x-webauth-user');
    const user = login ? userByLogin(login) : undefined;
    proxied.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, headers: req.headers, signedInAs: user?.login ?? null, status: user ? 200 : 401 });
    if (!user) return [401, { message: login ? 'Sign up is disabled' : 'Unauthorized' }]; // auto_sign_up = false
    const name = header('x-webauth-name');
    if (name && name !== user.name) user.name = name; // the user sync updates the name from the header
    const path = url.pathname.replace(/^\/grafana/, '');
    if (path === '/api/user') return [200, { id: user.id, login: user.login, email: user.email, name: user.name, orgId: membershipsOf(user.id)[0]?.[0] ?? 0 }];
    if (path === '/api/user/orgs') return [200, membershipsOf(user.id).map(([orgId, role]) => ({ orgId, name: orgs.get(orgId)!.name, role }))];
    return [200, { ok: true }];
  };

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    if (url.pathname === '/grafana' || url.pathname.startsWith('/grafana/')) {
      const [status, body] = authProxy(req, url);
      return res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    }
    const orgHeader = (req.headers['x-grafana-org-id'] as string | undefined) ?? null;
    const recorded: RecordedRequest = { method, path: `${url.pathname}${url.search}`, orgHeader, body: raw ? JSON.parse(raw) : undefined };
    requests.push(recorded);
    fake.beforeRequest?.(method, url.pathname);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
    if (user !== admin.login || password !== admin.password) return reply(401, { message: 'Invalid username or password' });
    const route = routes.find(([m, pattern]) => m === method && pattern.test(url.pathname));
    if (!route) {
      unmatched.push(recorded);
      return reply(404, { message: 'Not found' });
    }
    // Org-scoped endpoints act in the header's org (else the admin's current org, 1) with the admin's role there.
    const org = () => {
      const target = orgs.get(orgHeader ? Number(orgHeader) : 1);
      if (!target || target.members.get(admin.id) !== 'Admin') throw new Forbidden();
      return target;
    };
    try {
      const [status, body] = route[2](route[1].exec(url.pathname)!.slice(1), recorded.body, url.searchParams, org);
      reply(status, body);
    } catch (error) {
      if (error instanceof Forbidden) reply(403, { message: 'Permission denied' });
      else reply(500, { message: (error as Error).message });
    }
  });
  // Grafana Live behind the auth proxy: the upgrade is signed in like any request (an unknown login is refused).
  const live = new WebSocketServer({
    server,
    verifyClient: ({ req }, done) => {
      const value = req.headers['x-webauth-user'];
      const user = typeof value === 'string' ? userByLogin(decodeQuotedPrintable(value)) : undefined;
      proxied.push({ method: 'GET', path: req.url ?? '', headers: req.headers, signedInAs: user?.login ?? null, status: user ? 101 : 401 });
      done(Boolean(user), 401);
    },
  });
  live.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${String(data)}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => {
    for (const client of live.clients) client.terminate();
    live.close();
    server.close(() => resolve());
    server.closeAllConnections(); // keep-alive sockets of the app's proxy and sync clients
  });
  return fake;
}

class Forbidden extends Error {}

/** As Grafana's `util.DecodeQuotedPrintable`: the decoded value, or the value itself when it is not valid. */
function decodeQuotedPrintable(value: string): string {
  if (/=(?![0-9A-F]{2})/.test(value)) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '=') {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(value.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Grafana serialises dashboard JSON from Go maps: keys come back sorted. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}
