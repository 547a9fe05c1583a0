import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-process stand-in for Grafana 12's HTTP API: only the endpoints grafana:sync calls, with the documented
 * behaviour (basic auth, org ids from 1 = Main Org., 409 on a taken org name, org-scoped data sources and dashboards
 * via X-Grafana-Org-Id, dashboard versions and 412, users and memberships). New users are also put into org 1 as
 * Viewers, like `auto_assign_org`, so the sync has to take them out. Every request is recorded.
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
export interface FakeUser { id: number; login: string; name: string; password: string; isGrafanaAdmin: boolean }
export interface FakeGrafana {
  url: string;
  requests: RecordedRequest[];
  /** Requests to endpoints the fake does not implement (the sync should send none). */
  unmatched: RecordedRequest[];
  orgs: Map<number, FakeOrg>;
  users: Map<number, FakeUser>;
  createOrg(name: string): FakeOrg;
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
  const admin: FakeUser = { id: ++ids.user, login: options.adminUser ?? 'admin', name: 'admin', password: options.adminPassword ?? 'admin-secret', isGrafanaAdmin: true };
  users.set(admin.id, admin);
  createOrg('Main Org.').members.set(admin.id, 'Admin');

  const orgByName = (name: string) => [...orgs.values()].find((org) => org.name === name);
  const userByLogin = (login: string) => [...users.values()].find((user) => user.login === login);
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
      const user = userByLogin(body.loginOrEmail);
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
      const user = userByLogin(query.get('loginOrEmail') ?? '');
      return user ? [200, { id: user.id, login: user.login, name: user.name, isGrafanaAdmin: user.isGrafanaAdmin }] : notFound('user');
    }],
    ['GET', /^\/api\/users\/(\d+)\/orgs$/, ([id]) => [200, [...orgs.values()]
      .filter((org) => org.members.has(Number(id)))
      .map((org) => ({ orgId: org.id, name: org.name, role: org.members.get(Number(id)) }))]],
    ['POST', /^\/api\/admin\/users$/, (_m, body) => {
      if (userByLogin(body.login)) return [412, { message: 'user already exists' }];
      if (body.OrgId !== undefined && !orgs.has(body.OrgId)) return notFound('Organization');
      const user: FakeUser = { id: ++ids.user, login: body.login, name: body.name, password: body.password, isGrafanaAdmin: false };
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
  const fake: FakeGrafana = { url: '', requests, unmatched, orgs, users, createOrg, beforeRequest: null, close: async () => {} };

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

class Forbidden extends Error {}

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
