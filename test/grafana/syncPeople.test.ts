import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteUser, updateUser, type User } from '../../src/access/users.ts';
import { OPEN_PRINCIPAL, type ClientRole, type Principal } from '../../src/access/principal.ts';
import { grafanaIdentityOf, personIdOf, personLogin } from '../../src/grafana/logins.ts';
import type { PeopleReport } from '../../src/grafana/sync/syncPeople.ts';
import { buildTestApp, runtimeOf, testClient } from '../helpers/buildTestApp.ts';
import { isWrite, startFakeGrafana, type FakeGrafana, type FakeUser } from '../helpers/fakeGrafana.ts';
import { addPerson, asBrowser, signInPerson } from '../helpers/people.ts';
import { GRAFANA_ADMIN_PASSWORD } from '../helpers/secrets.ts';

type App = Awaited<ReturnType<typeof buildTestApp>>;

/**
 * People follow into Grafana: each person's own user (`person-<id>`) is a Viewer of exactly the orgs of the clients
 * they may see, against the fake Grafana's API and a real platform database (people made and changed as the product
 * does). Orgs 2, 3 and 4 are alpha's, beta's and gamma's; org 1 is Main Org.; delta has no org yet.
 */
let fake: FakeGrafana;
let app: App;
let logs: string[];
const clients = () => [
  { ...testClient('alpha', 'UTC', null), grafanaOrgId: 2 },
  { ...testClient('beta', 'UTC', null), grafanaOrgId: 3 },
  { ...testClient('gamma', 'UTC', null), grafanaOrgId: 4 },
  testClient('delta', 'UTC', null),
];

async function start(options: { pollMs?: number } = {}) {
  fake = await startFakeGrafana({ adminPassword: GRAFANA_ADMIN_PASSWORD });
  for (const name of ['Client alpha', 'Client beta', 'Client gamma']) fake.createOrg(name).members.set(1, 'Admin');
  logs = [];
  app = await buildTestApp(clients(), { grafanaUrl: fake.url, grafanaAdminPassword: GRAFANA_ADMIN_PASSWORD, grafanaPeoplePollMs: options.pollMs, logLines: logs });
}
afterEach(async () => {
  await app?.close();
  await fake?.close();
});

const db = () => runtimeOf(app).platform.pool;
const sync = (): Promise<PeopleReport> => runtimeOf(app).grafanaPeople!.syncAll((message) => logs.push(message));
const grafanaUserOf = (person: User): FakeUser | undefined => [...fake.users.values()].find((user) => user.login === personLogin(person.id));
const orgsOf = (person: User) => {
  const user = grafanaUserOf(person);
  return user ? fake.membershipsOf(user.id) : null;
};
const writesSince = (start: number) => fake.requests.slice(start).filter(isWrite).map((r) => `${r.method} ${r.path}`);

async function until(condition: () => boolean, what: string) {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('grafana sync of people', () => {
  beforeEach(() => start());

  it("makes a member of alpha a Viewer of alpha's org only, under their own login, name and email", async () => {
    const ann = await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    const report = await sync();
    expect(report).toMatchObject({ created: 1, updated: 0, removed: 0, failures: [], warnings: [] });
    expect(orgsOf(ann)).toEqual([[2, 'Viewer']]); // not Main Org., where Grafana auto-assigns new users
    expect(grafanaUserOf(ann)).toMatchObject({ login: `person-${ann.id}`, name: 'ann', email: 'ann@alpha.example', isGrafanaAdmin: false });
    expect(fake.unmatched).toEqual([]);
  });

  it('gives an operator the orgs of the clients assigned to them, and admins and all-client operators every org', async () => {
    const assigned = await addPerson(app, { email: 'op@agency.example', role: 'operator', clients: { alpha: 'viewer', beta: 'editor' } });
    const everywhere = await addPerson(app, { email: 'all@agency.example', role: 'operator', allClients: true });
    const admin = await addPerson(app, { email: 'boss@agency.example', role: 'admin' });
    await sync();
    expect(orgsOf(assigned)).toEqual([[2, 'Viewer'], [3, 'Viewer']]); // an editor of beta is still a Grafana Viewer
    for (const person of [everywhere, admin]) expect(orgsOf(person)).toEqual([[2, 'Viewer'], [3, 'Viewer'], [4, 'Viewer']]);
  });

  it("removes the membership of a client taken away (through the people API) on the next sync, and nothing else", async () => {
    const op = await addPerson(app, { email: 'op@agency.example', role: 'operator', clients: { alpha: 'viewer', beta: 'viewer' } });
    await addPerson(app, { email: 'boss@agency.example', role: 'admin' });
    await sync();
    const cookie = await signInPerson(app, 'boss@agency.example');
    const res = await app.inject({ method: 'PATCH', url: `/api/users/${op.id}`, headers: asBrowser(cookie), payload: { clients: { alpha: 'viewer' } } });
    expect(res.statusCode).toBe(200);
    const start = fake.requests.length;
    expect(await sync()).toMatchObject({ updated: 1, unchanged: 1 });
    expect(orgsOf(op)).toEqual([[2, 'Viewer']]);
    expect(writesSince(start)).toEqual([`DELETE /api/orgs/3/users/${grafanaUserOf(op)!.id}`]);
  });

  it("deletes a disabled person's Grafana user, and makes it again when they are enabled", async () => {
    const ann = await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    await sync();
    await updateUser(db(), ann.id, { disabled: true });
    expect(await sync()).toMatchObject({ removed: 1 });
    expect(grafanaUserOf(ann)).toBeUndefined();
    await updateUser(db(), ann.id, { disabled: false });
    expect(await sync()).toMatchObject({ created: 1 });
    expect(orgsOf(ann)).toEqual([[2, 'Viewer']]);
  });

  it("deletes a removed person's Grafana user with its memberships", async () => {
    const ann = await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    await addPerson(app, { email: 'boss@agency.example', role: 'admin' });
    await sync();
    const id = grafanaUserOf(ann)!.id;
    const cookie = await signInPerson(app, 'boss@agency.example');
    expect((await app.inject({ method: 'DELETE', url: `/api/users/${ann.id}`, headers: asBrowser(cookie) })).statusCode).toBe(204);
    expect(await sync()).toMatchObject({ removed: 1, unchanged: 1 });
    expect(fake.users.has(id)).toBe(false);
    expect(fake.membershipsOf(id)).toEqual([]);
  });

  it('gives no Grafana user to a person none of whose clients has an org, and removes one who lost the last', async () => {
    const nowhere = await addPerson(app, { email: 'new@delta.example', role: 'member', clients: { delta: 'viewer' } });
    const op = await addPerson(app, { email: 'op@agency.example', role: 'operator', clients: { gamma: 'viewer' } });
    await sync();
    expect(grafanaUserOf(nowhere)).toBeUndefined();
    await updateUser(db(), op.id, { clients: { delta: 'viewer' } });
    await sync();
    expect(grafanaUserOf(op)).toBeUndefined();
  });

  it('never touches Grafana users it does not own: the admin, users made by hand, the legacy client users', async () => {
    const analyst = fake.createUser('analyst', { 2: 'Editor', 3: 'Viewer' }, 'analyst@agency.example');
    const lookalike = fake.createUser('person-not-a-uuid', { 2: 'Admin' });
    const legacy = fake.createUser('client-alpha', { 2: 'Viewer' });
    const before = [fake.users.get(1), analyst, lookalike, legacy].map((user) => JSON.stringify([user, fake.membershipsOf(user!.id)]));
    const ann = await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    await sync();
    await deleteUser(db(), ann.id);
    await sync();
    expect([fake.users.get(1), analyst, lookalike, legacy].map((user) => JSON.stringify([user, fake.membershipsOf(user!.id)]))).toEqual(before);
    const theirs = [fake.users.get(1)!, analyst, lookalike, legacy];
    const touching = fake.requests.filter(isWrite).filter((r) => {
      const userId = Number(/\/users\/(\d+)/.exec(r.path)?.[1]);
      const body = (r.body ?? {}) as { loginOrEmail?: string; login?: string };
      return theirs.some((user) => user.id === userId || user.login === body.loginOrEmail || user.login === body.login);
    });
    expect(touching).toEqual([]);
  });

  it('a second run sends no write request and reports everyone unchanged', async () => {
    await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    await addPerson(app, { email: 'op@agency.example', role: 'operator', clients: { alpha: 'viewer', gamma: 'viewer' } });
    await addPerson(app, { email: 'boss@agency.example', role: 'admin' });
    await sync();
    const start = fake.requests.length;
    const second = await sync();
    expect(writesSince(start)).toEqual([]);
    expect(second).toMatchObject({ created: 0, updated: 0, removed: 0, unchanged: 3, writes: 0 });
  });

  it('puts back a person who was made an Editor, added to another org or made a server admin in Grafana', async () => {
    const ann = await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    await sync();
    const user = grafanaUserOf(ann)!;
    fake.orgs.get(2)!.members.set(user.id, 'Editor');
    fake.orgs.get(3)!.members.set(user.id, 'Viewer');
    user.isGrafanaAdmin = true;
    expect(await sync()).toMatchObject({ updated: 1 });
    expect(orgsOf(ann)).toEqual([[2, 'Viewer']]);
    expect(user.isGrafanaAdmin).toBe(false);
  });

  it("follows a new name, keeps the login, and never takes an email another Grafana user holds", async () => {
    fake.createUser('ann-by-hand', { 1: 'Viewer' }, 'ann@alpha.example');
    const ann = await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    const report = await sync();
    expect(report.warnings).toEqual([`person-${ann.id}: another Grafana user already has this person's email, so their Grafana user is shown without it`]);
    expect(grafanaUserOf(ann)).toMatchObject({ email: `person-${ann.id}` }); // Grafana's own fallback: the login
    await updateUser(db(), ann.id, { name: 'Ann Lee' });
    await sync();
    expect(grafanaUserOf(ann)).toMatchObject({ login: `person-${ann.id}`, name: 'Ann Lee', email: `person-${ann.id}` });
  });

  it("gives each Grafana user a long random password that no log line holds", async () => {
    await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    await addPerson(app, { email: 'bob@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    await sync();
    const passwords = fake.requests.filter((r) => r.path === '/api/admin/users').map((r) => (r.body as { password: string }).password);
    expect(passwords).toHaveLength(2);
    expect(new Set(passwords).size).toBe(2);
    for (const password of passwords) {
      expect(password.length).toBeGreaterThanOrEqual(32);
      expect(logs.join('\n')).not.toContain(password);
    }
  });
});

describe('the runtime follows people into Grafana', () => {
  beforeEach(() => start({ pollMs: 50 }));

  it('picks up changes made straight in the platform database (another replica, npm run users) within a poll', async () => {
    const ann = await addPerson(app, { email: 'ann@alpha.example', role: 'member', clients: { alpha: 'viewer' } });
    await until(() => JSON.stringify(orgsOf(ann)) === '[[2,"Viewer"]]', "ann's Grafana user");
    await updateUser(db(), ann.id, { role: 'operator', clients: { beta: 'viewer', gamma: 'viewer' } });
    await until(() => JSON.stringify(orgsOf(ann)) === '[[3,"Viewer"],[4,"Viewer"]]', 'the new memberships');
    await deleteUser(db(), ann.id);
    await until(() => grafanaUserOf(ann) === undefined, 'the Grafana user to go');
  });

  it('takes memberships away when a client leaves the registry', async () => {
    const admin = await addPerson(app, { email: 'boss@agency.example', role: 'admin' });
    await until(() => orgsOf(admin)?.length === 3, "the admin's memberships");
    runtimeOf(app).registry.replace('file', clients().filter((client) => client.id !== 'beta'));
    await until(() => JSON.stringify(orgsOf(admin)) === '[[2,"Viewer"],[4,"Viewer"]]', 'beta to go');
  });
});

describe('grafanaIdentityOf: whom the proxy names to Grafana', () => {
  const id = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
  const alphaViewer = new Map<string, ClientRole>([['alpha', 'viewer']]);
  const person: Principal = { actor: { kind: 'user', id, label: 'ann@alpha.example' }, role: 'member', userId: id, clients: alphaViewer, via: 'session' };

  it("names a person by their own id, whatever their role; legacy keys by the shared logins; tokens by nobody", () => {
    expect(grafanaIdentityOf(person, 'admin')).toEqual({ kind: 'person', userId: id, login: `person-${id}` });
    expect(grafanaIdentityOf({ ...person, role: 'admin', clients: 'all' }, 'admin')).toEqual({ kind: 'person', userId: id, login: `person-${id}` });
    const clientKey: Principal = { actor: { kind: 'key', id: 'alpha', label: 'ALPHA_API_KEY' }, role: 'member', userId: null, clients: alphaViewer, via: 'session' };
    expect(grafanaIdentityOf(clientKey, 'admin')).toEqual({ kind: 'shared', login: 'client-alpha' });
    expect(grafanaIdentityOf({ ...clientKey, actor: { kind: 'key', id: null, label: 'ADMIN_API_KEY' }, role: 'admin', clients: 'all' }, 'grafana-admin')).toEqual({ kind: 'shared', login: 'grafana-admin' });
    expect(grafanaIdentityOf(OPEN_PRINCIPAL, 'grafana-admin')).toEqual({ kind: 'shared', login: 'grafana-admin' });
    expect(grafanaIdentityOf({ ...clientKey, actor: { kind: 'token', id: 'x', label: 'ci' } }, 'admin')).toBeNull();
    expect(grafanaIdentityOf({ ...person, actor: { kind: 'token', id: 'x', label: 'mine' } }, 'admin')).toBeNull(); // a personal token
  });

  it('owns exactly the logins of the shape person-<uuid>', () => {
    expect(personIdOf(`person-${id}`)).toBe(id);
    for (const login of ['person-', 'person-not-a-uuid', `xperson-${id}`, `person-${id}x`, 'admin', 'client-alpha', `person-${id.toUpperCase()}`]) {
      expect([login, personIdOf(login)]).toEqual([login, null]);
    }
  });
});
