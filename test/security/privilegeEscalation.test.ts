import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessWorld, UNKNOWN_ID, type Actor, type Request } from '../helpers/accessWorld.ts';
import { NEW_PASSWORD } from '../helpers/secrets.ts';
import { bearer, KEYS } from '../helpers/buildTestApp.ts';

/**
 * Named attempts to gain what a role does not give, each refused with nothing changed: members inviting, minting
 * tokens elsewhere, promoting themselves, reading the audit log or managing clients; operators making admins or
 * touching an admin's things; tokens minting tokens; and the last admin removed or demoted — alone or in a race.
 */
let world: AccessWorld;
beforeAll(async () => {
  world = await AccessWorld.start('escalation');
}, 60_000);
afterAll(async () => {
  await world?.close();
});

const ADMIN_KEY: Actor = { name: 'admin key', headers: bearer(KEYS.admin), person: null, session: null };
const send = (actor: Actor, request: Request, extra?: Record<string, string>) => world.inject(actor, request, extra);
const count = async (sql: string, values: unknown[] = []) => (await world.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, values)).rows[0]!.n;
const personRow = async (id: string) =>
  (await world.db.query(`SELECT role, all_clients, disabled_at, (SELECT json_object_agg(client_id, client_role) FROM access.user_clients WHERE user_id = $1) AS clients FROM access.users WHERE id = $1`, [id])).rows[0];

/** Every request refused with `status` in our error shape; the state read before and after is the same. */
async function refused(actor: Actor, requests: Request[], status: number, state: () => Promise<unknown>, extra?: Record<string, string>) {
  const before = await state();
  for (const request of requests) {
    const res = await send(actor, request, extra);
    expect([request.method, request.url, JSON.stringify(request.payload ?? null), res.statusCode]).toEqual([request.method, request.url, JSON.stringify(request.payload ?? null), status]);
    expect(res.json()).toEqual({ error: { code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) } });
  }
  expect(await state()).toEqual(before);
}

describe('a client member', () => {
  it('cannot invite anyone, to its own client or any other, in any role', async () => {
    for (const name of ['alpha viewer', 'alpha editor', "alpha viewer's personal token", 'alpha service token', 'alpha key'] as const) {
      const member = await world.actor(name);
      const invitations = ['member', 'operator', 'admin'].flatMap((role) => [['alpha'], ['beta']].map((clientIds) => ({
        method: 'POST' as const, url: '/api/invitations', payload: { email: `${world.unique('x')}@people.example`, role, ...(role === 'member' ? { clientIds } : {}) },
      })));
      await refused(member, invitations, 403, () => count('access.invitations'));
    }
  });

  it('cannot create a service token for another client, nor one for its own as a viewer', async () => {
    const editor = await world.actor('alpha editor');
    const viewer = await world.actor('alpha viewer');
    const mint = (clientId: string) => ({ method: 'POST' as const, url: '/api/tokens', payload: { name: world.unique('mint'), kind: 'service', clientId } });
    await refused(editor, [mint('beta')], 404, () => count('access.tokens')); // beta looks like a client that does not exist
    await refused(viewer, [mint('alpha')], 403, () => count('access.tokens'));
    await refused(viewer, [mint('beta')], 404, () => count('access.tokens'));
    const unknown = await send(editor, mint('nobody'));
    expect(unknown.body).toBe((await send(editor, mint('beta'))).body);
  });

  it('cannot change its own role, clients or access (PATCH /api/users/:self), as a person or with its personal token', async () => {
    for (const name of ['alpha viewer', 'alpha editor', "alpha viewer's personal token"] as const) {
      const member = await world.actor(name);
      const changes = [{ role: 'admin' }, { role: 'operator' }, { allClients: true }, { clients: { beta: 'viewer' } }, { clients: { alpha: 'editor', beta: 'editor' } },
        { clients: { alpha: 'editor' } }, { disabled: false }, { role: 'admin', name: 'Just my name' }];
      const self = `/api/users/${member.person!.id}`;
      await refused(member, changes.map((payload) => ({ method: 'PATCH', url: self, payload })), 403, () => personRow(member.person!.id));
      expect((await send(member, { method: 'GET', url: '/api/alpha/funnel' })).statusCode).toBe(200);
      expect((await send(member, { method: 'GET', url: '/api/beta/funnel' })).statusCode).toBe(404);
    }
  });

  it('cannot read or export the audit log, in JSON or CSV, and its attempt exports nothing', async () => {
    const member = await world.actor('alpha editor');
    const requests: Request[] = [{ method: 'GET', url: '/api/audit' }, { method: 'GET', url: '/api/audit?format=csv' }, { method: 'GET', url: '/api/audit?clientId=alpha' }];
    await refused(member, requests, 403, () => count(`access.audit WHERE action = 'audit-exported'`));
    await refused(member, [{ method: 'GET', url: '/api/audit' }], 403, () => count(`access.audit WHERE action = 'audit-exported'`), { accept: 'text/csv' });
  });

  it('cannot list, create, change, remove or test clients, and learns nothing about the fields it sent', async () => {
    const member = await world.actor('alpha editor');
    const requests: Request[] = [
      { method: 'GET', url: '/api/admin/clients' },
      { method: 'POST', url: '/api/admin/clients', payload: { id: world.unique('evil'), name: 'Evil', timezone: 'UTC' } },
      { method: 'POST', url: '/api/admin/clients', payload: { id: 'NOT VALID', timezone: 'Mars/Olympus', extra: true } },
      { method: 'PATCH', url: '/api/admin/clients/alpha', payload: { name: 'Mine now' } },
      { method: 'PATCH', url: '/api/admin/clients/nobody', payload: { name: 'Mine now' } },
      { method: 'DELETE', url: '/api/admin/clients/alpha' },
      { method: 'POST', url: '/api/admin/clients/test-connection', payload: { clientId: 'alpha' } },
    ];
    await refused(member, requests, 403, async () => [await count('tenants.clients'), world.app.inject({ method: 'GET', url: '/clients', headers: bearer(KEYS.admin) }).then((r) => r.body)]);
  });

  it('cannot list people or invitations, or make a reset link for anyone', async () => {
    const member = await world.actor('alpha editor');
    const colleague = await world.person('member', { alpha: 'viewer' });
    await refused(member, [
      { method: 'GET', url: '/api/users' }, { method: 'GET', url: '/api/invitations' },
      { method: 'POST', url: `/api/users/${colleague.id}/password-reset` }, { method: 'POST', url: `/api/users/${member.person!.id}/password-reset` },
    ], 403, () => count(`access.invitations WHERE purpose = 'reset'`));
    await refused(member, [{ method: 'PATCH', url: `/api/users/${colleague.id}`, payload: { role: 'admin' } }], 404, () => personRow(colleague.id));
  });
});

describe('an operator', () => {
  it('cannot invite an admin or an operator, whatever else the invitation says', async () => {
    for (const name of ['operator (all clients)', 'operator (alpha)'] as const) {
      const operator = await world.actor(name);
      const email = () => `${world.unique('x')}@people.example`;
      await refused(operator, [
        { method: 'POST', url: '/api/invitations', payload: { email: email(), role: 'admin' } },
        { method: 'POST', url: '/api/invitations', payload: { email: email(), role: 'operator', allClients: true } },
        { method: 'POST', url: '/api/invitations', payload: { email: email(), role: 'operator', clientIds: ['alpha'] } },
      ], 403, () => count('access.invitations'));
      await refused(operator, [{ method: 'POST', url: '/api/invitations', payload: { email: email(), role: 'Admin' } }], 400, () => count('access.invitations'));
    }
  });

  it('cannot promote itself or anyone to admin or operator, nor give anyone every client', async () => {
    const operator = await world.actor('operator (alpha)');
    const member = await world.person('member', { alpha: 'viewer' });
    const self = `/api/users/${operator.person!.id}`;
    await refused(operator, [{ role: 'admin' }, { allClients: true }, { clients: { alpha: 'viewer', beta: 'viewer' } }].map((payload) => ({ method: 'PATCH', url: self, payload })), 403,
      () => personRow(operator.person!.id));
    await refused(operator, [{ role: 'admin' }, { role: 'operator' }, { allClients: true }].map((payload) => ({ method: 'PATCH', url: `/api/users/${member.id}`, payload })), 403,
      () => personRow(member.id));
    // Moving its member to a client it cannot see: refused exactly like a client that does not exist.
    const beta = await send(operator, { method: 'PATCH', url: `/api/users/${member.id}`, payload: { clients: { beta: 'viewer' } } });
    const nobody = await send(operator, { method: 'PATCH', url: `/api/users/${member.id}`, payload: { clients: { nobody: 'viewer' } } });
    expect([beta.statusCode, beta.body.replace('beta', 'nobody')]).toEqual([400, nobody.body]);
    expect(await personRow(member.id)).toMatchObject({ role: 'member', clients: { alpha: 'viewer' } });
    const otherOperator = await world.person('operator', { alpha: 'viewer' });
    await refused(operator, [{ method: 'PATCH', url: `/api/users/${otherOperator.id}`, payload: { role: 'admin' } }], 404, () => personRow(otherOperator.id));
  });

  it("cannot see or touch an admin's tokens, invitations or account", async () => {
    const admin = await world.actor('admin');
    const { token: adminToken } = await world.token({ personal: admin.person! });
    const { invitation: ofAdmin } = await world.invitation({ role: 'admin' });
    const { invitation: ofOperator } = await world.invitation({ role: 'operator', allClients: true });
    for (const name of ['operator (all clients)', 'operator (alpha)'] as const) {
      const operator = await world.actor(name);
      const tokens = (await send(operator, { method: 'GET', url: '/api/tokens' })).json().map((t: { id: string }) => t.id);
      expect(tokens).not.toContain(adminToken.id);
      const invitations = (await send(operator, { method: 'GET', url: '/api/invitations' })).json().map((i: { id: string }) => i.id);
      expect(invitations).not.toContain(ofAdmin.id);
      expect(invitations).not.toContain(ofOperator.id);
      const users = (await send(operator, { method: 'GET', url: '/api/users' })).json().map((u: { id: string }) => u.id);
      expect(users).not.toContain(admin.person!.id);
      const state = async () => [await count('access.tokens WHERE id = $1 AND revoked_at IS NULL', [adminToken.id]),
        await count('access.invitations WHERE id = ANY($1) AND revoked_at IS NULL', [[ofAdmin.id, ofOperator.id]]),
        await personRow(admin.person!.id), await count('access.sessions WHERE user_id = $1', [admin.person!.id]),
        await count(`access.invitations WHERE purpose = 'reset' AND user_id = $1`, [admin.person!.id])];
      const attempts: [Request, Request][] = [
        [{ method: 'DELETE', url: `/api/tokens/${adminToken.id}` }, { method: 'DELETE', url: `/api/tokens/${UNKNOWN_ID}` }],
        [{ method: 'DELETE', url: `/api/invitations/${ofAdmin.id}` }, { method: 'DELETE', url: `/api/invitations/${UNKNOWN_ID}` }],
        [{ method: 'DELETE', url: `/api/invitations/${ofOperator.id}` }, { method: 'DELETE', url: `/api/invitations/${UNKNOWN_ID}` }],
        [{ method: 'GET', url: `/api/users/${admin.person!.id}` }, { method: 'GET', url: `/api/users/${UNKNOWN_ID}` }],
        [{ method: 'PATCH', url: `/api/users/${admin.person!.id}`, payload: { disabled: true } }, { method: 'PATCH', url: `/api/users/${UNKNOWN_ID}`, payload: { disabled: true } }],
        [{ method: 'DELETE', url: `/api/users/${admin.person!.id}` }, { method: 'DELETE', url: `/api/users/${UNKNOWN_ID}` }],
        [{ method: 'POST', url: `/api/users/${admin.person!.id}/sign-out-everywhere` }, { method: 'POST', url: `/api/users/${UNKNOWN_ID}/sign-out-everywhere` }],
        [{ method: 'POST', url: `/api/users/${admin.person!.id}/password-reset` }, { method: 'POST', url: `/api/users/${UNKNOWN_ID}/password-reset` }],
      ];
      await refused(operator, attempts.map(([real]) => real), 404, state);
      for (const [real, unknown] of attempts) expect((await send(operator, real)).body).toBe((await send(operator, unknown)).body);
      // Nor replace an admin's pending invitation by inviting the same address as a member.
      await refused(operator, [{ method: 'POST', url: '/api/invitations', payload: { email: ofAdmin.email, role: 'member', clientIds: ['alpha'] } }], 400, state);
    }
  });
});

describe('tokens and keys', () => {
  it('never create tokens: a personal token, a service token or a key is refused, whatever it asks for', async () => {
    for (const name of ["alpha viewer's personal token", 'alpha service token', 'admin key', 'alpha key'] as const) {
      const holder = await world.actor(name);
      await refused(holder, [{ kind: 'personal' }, { kind: 'service', clientId: 'alpha' }, { kind: 'service', clientId: 'beta' }].map((spec) => ({
        method: 'POST', url: '/api/tokens', payload: { name: world.unique('successor'), ...spec },
      })), 403, () => count('access.tokens'));
    }
    // Not even an admin's personal token.
    const admin = await world.person('admin');
    const adminToken: Actor = { name: 'admin', headers: bearer((await world.token({ personal: admin })).secret), person: admin, session: null };
    await refused(adminToken, [{ method: 'POST', url: '/api/tokens', payload: { name: 'successor', kind: 'personal' } }], 403, () => count('access.tokens'));
  });

  it("keeps a personal token only as strong as its owner is now: demoted, it loses the owner's old powers at once", async () => {
    const owner = await world.person('admin');
    const token: Actor = { name: 'admin', headers: bearer((await world.token({ personal: owner })).secret), person: owner, session: null };
    expect((await send(token, { method: 'GET', url: '/api/users' })).statusCode).toBe(200);
    expect((await send(ADMIN_KEY, { method: 'PATCH', url: `/api/users/${owner.id}`, payload: { role: 'member', clients: { alpha: 'viewer' } } })).statusCode).toBe(200);
    expect((await send(token, { method: 'GET', url: '/api/users' })).statusCode).toBe(403);
    expect((await send(token, { method: 'GET', url: '/api/beta/funnel' })).statusCode).toBe(404);
    expect((await send(ADMIN_KEY, { method: 'PATCH', url: `/api/users/${owner.id}`, payload: { disabled: true } })).statusCode).toBe(200);
    expect((await send(token, { method: 'GET', url: '/api/alpha/funnel' })).statusCode).toBe(401);
  });

  it('accepts an invitation for exactly what it grants: a body asking for more is refused and makes nobody', async () => {
    const { invitation, token } = await world.invitation({ role: 'member', clients: { alpha: 'viewer' } });
    const none: Actor = { name: 'none', headers: {}, person: null, session: null };
    await refused(none, [{ role: 'admin' }, { allClients: true }, { clients: { beta: 'editor' } }].map((extra) => ({
      method: 'POST', url: '/api/invitations/accept', payload: { token, name: 'Mallory', password: NEW_PASSWORD, ...extra },
    })), 400, () => count('access.users WHERE email = $1', [invitation.email]));
    const accepted = await send(none, { method: 'POST', url: '/api/invitations/accept', payload: { token, name: 'Mallory', password: NEW_PASSWORD } });
    expect(accepted.json()).toMatchObject({ role: 'member', allClients: false, clients: [{ id: 'alpha', role: 'viewer' }] });
  });
});

describe('the last admin', () => {
  /** Leaves exactly these people as the world's admins (keys aside). */
  const onlyAdmins = async (count: number) => {
    await world.db.query(`DELETE FROM access.users WHERE role = 'admin'`);
    return Promise.all(Array.from({ length: count }, () => world.actor('admin')));
  };
  const activeAdmins = () => count(`access.users WHERE role = 'admin' AND disabled_at IS NULL`);

  it('cannot be removed, demoted or disabled, by the admin key or by themselves', async () => {
    const [last] = await onlyAdmins(1);
    const id = last!.person!.id;
    const changes: Request[] = [{ role: 'operator', allClients: true }, { role: 'member', clients: { alpha: 'viewer' } }, { disabled: true }]
      .map((payload) => ({ method: 'PATCH', url: `/api/users/${id}`, payload }));
    await refused(ADMIN_KEY, [...changes, { method: 'DELETE', url: `/api/users/${id}` }], 400, () => personRow(id));
    await refused(last!, [...changes, { method: 'DELETE', url: `/api/users/${id}` }], 403, () => personRow(id));
    expect(await activeAdmins()).toBe(1);
    expect((await send(last!, { method: 'GET', url: '/api/users' })).statusCode).toBe(200);
  });

  it('stays when two admins demote, disable or remove each other at the same moment', async () => {
    const moves = [
      (id: string): Request => ({ method: 'DELETE', url: `/api/users/${id}` }),
      (id: string): Request => ({ method: 'PATCH', url: `/api/users/${id}`, payload: { disabled: true } }),
      (id: string): Request => ({ method: 'PATCH', url: `/api/users/${id}`, payload: { role: 'operator', allClients: true } }),
    ];
    for (const first of moves) {
      for (const second of moves) {
        const [a, b] = await onlyAdmins(2);
        // Each by the admin key (a person cannot act once removed), at the same moment.
        const answers = await Promise.all([send(ADMIN_KEY, first(b!.person!.id)), send(ADMIN_KEY, second(a!.person!.id))]);
        const statuses = answers.map((res) => res.statusCode);
        expect([statuses.filter((status) => status < 300).length, statuses.filter((status) => status === 400).length]).toEqual([1, 1]);
        expect(await activeAdmins()).toBe(1);
      }
    }
  });

  it('does not count a disabled admin: one may be removed or demoted while another admin remains', async () => {
    const [active, disabled] = await onlyAdmins(2);
    await send(ADMIN_KEY, { method: 'PATCH', url: `/api/users/${disabled!.person!.id}`, payload: { disabled: true } });
    expect((await send(active!, { method: 'PATCH', url: `/api/users/${disabled!.person!.id}`, payload: { role: 'operator', allClients: true } })).statusCode).toBe(200);
    expect((await send(active!, { method: 'DELETE', url: `/api/users/${disabled!.person!.id}` })).statusCode).toBe(204);
    expect(await activeAdmins()).toBe(1);
  });
});
