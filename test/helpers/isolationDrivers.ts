import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { User } from '../../src/access/users.ts';
import { UNKNOWN_ID, type AccessWorld, type Actor, type Request } from './accessWorld.ts';
import {
  clientState, clientTarget, CLIENT_TARGETS, INVITATION_TARGETS, INVITEES, NEW_TOKENS, PENDING, personTarget, PERSON_TARGETS, tokenTarget, TOKEN_TARGETS,
} from './isolationTargets.ts';
import { fillPath, pathParams, queryParams, type OpenApiOperation } from './openApi.ts';
import { NEW_PASSWORD, PERSON_PASSWORD } from './secrets.ts';
import { createChannel } from '../../src/notify/delivery/channels.ts';
import { OPERATIONS_DRIVERS, REPORT_DRIVERS } from './isolationReports.ts';

/**
 * How the access matrix acts on each operation: what a cell's request aims at (made fresh for that cell), the same
 * request aimed at something that does not exist (a refusal must look exactly like it), and what the request may
 * change, read back from the database (a refusal must leave it as it was; a success must change it).
 */
export interface Prepared {
  request: Request;
  unknown?: { request: Request; swap?: [string, string] };
  state?: () => Promise<unknown>;
  /** Whether a success changes `state` (default: yes). */
  changes?: boolean;
  granted?: (res: LightMyRequestResponse) => void | Promise<void>;
}

export interface Driver {
  /** One cell per target and principal; '-' when there is only one thing to act on. */
  targets: readonly string[];
  /**
   * Whether a request may change its caller (its session, password or account): then each cell acts as a principal
   * of its own. Otherwise cells share principals made once (what they act on is still their own).
   */
  changesCaller?: (target: string) => boolean;
  prepare(world: AccessWorld, actor: Actor, target: string): Promise<Prepared>;
}

const one = ['-'] as const;
const row = async (world: AccessWorld, sql: string, values: unknown[]) => (await world.db.query(sql, values)).rows;

// ---- people -------------------------------------------------------------------------------------------------

const personRow = (world: AccessWorld, id: string) => row(world, 'SELECT name, role, disabled_at FROM access.users WHERE id = $1', [id]);

function onPerson(method: Request['method'], suffix: string, payload: object | undefined, state: (world: AccessWorld, user: User) => Promise<unknown>): Driver {
  return {
    targets: PERSON_TARGETS,
    changesCaller: (target) => method !== 'GET' && target === 'self',
    async prepare(world, actor, target) {
      const user = await personTarget(world, actor, target);
      if (suffix === '/sign-out-everywhere') await world.session(user);
      return {
        request: { method, url: `/api/users/${user.id}${suffix}`, payload },
        unknown: { request: { method, url: `/api/users/${UNKNOWN_ID}${suffix}`, payload } },
        state: method === 'GET' ? undefined : () => state(world, user),
        granted: method === 'GET' ? (res) => expect(res.json().id).toBe(user.id) : undefined,
      };
    },
  };
}

// ---- analytics: every GET under /api/{clientId}/ ------------------------------------------------------------

/** A session of each client's fixture, for `/sessions/{sessionId}`. */
const SESSION_OF: Record<string, string> = { alpha: 'c1', beta: 'b1', nobody: 'c1' };

export function clientRead(op: OpenApiOperation): Driver {
  const urlFor = (clientId: string) => {
    const path = fillPath(op.path, Object.fromEntries(pathParams(op).map((name) => [name, name === 'clientId' ? clientId : SESSION_OF[clientId]!])));
    return queryParams(op).some((p) => p.name === 'from') ? `${path}?from=2024-05-01&to=2024-05-02` : path;
  };
  return {
    targets: ['alpha', 'beta'],
    async prepare(_world, _actor, target) {
      return {
        request: { method: 'GET', url: urlFor(target) },
        unknown: { request: { method: 'GET', url: urlFor('nobody') }, swap: [target, 'nobody'] },
        granted: (res) => {
          const body = res.json();
          if ('clientId' in body) expect(body.clientId).toBe(target);
        },
      };
    },
  };
}

// ---- every other documented operation -----------------------------------------------------------------------

// ---- notification channels (email channels: nothing leaves the machine; without SMTP a test stays in the outbox) ----

const CHANNEL_TARGETS = ['alpha', 'beta', 'every client'] as const;
const CHANNEL_CLIENTS: Record<string, string[] | null> = { alpha: ['alpha'], beta: ['beta'], 'every client': null };
async function channelTarget(world: AccessWorld, target: string): Promise<string> {
  const channel = await createChannel(world.db, null, {
    name: world.unique('channel'), kind: 'email', addresses: ['ops@agency.example'], toMembers: false, webhook: null,
    clientIds: CHANNEL_CLIENTS[target]!, kinds: ['alert-firing'], enabled: true,
  });
  return channel.id;
}
const channelRow = (world: AccessWorld, id: string) => row(world, 'SELECT name, enabled FROM notify.channels WHERE id = $1', [id]);
const attemptCount = async (world: AccessWorld, id: string) => (await row(world, 'SELECT count(*)::int AS n FROM notify.delivery_attempts WHERE channel_id = $1', [id]))[0];
function onChannel(method: Request['method'], suffix: string, payload: object | undefined, state?: (world: AccessWorld, id: string) => Promise<unknown>): Driver {
  return {
    targets: CHANNEL_TARGETS,
    async prepare(world, _actor, target) {
      const id = await channelTarget(world, target);
      return {
        request: { method, url: `/api/channels/${id}${suffix}`, payload },
        unknown: { request: { method, url: `/api/channels/${UNKNOWN_ID}${suffix}`, payload } },
        state: state && (() => state(world, id)),
      };
    },
  };
}
const CHANNEL_DRIVERS: Record<string, Driver> = {
  'GET /api/channels': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/channels' } }) },
  'POST /api/channels': {
    targets: ['alpha', 'beta'],
    async prepare(world, _actor, target) {
      const name = world.unique('new-channel');
      const payload = { name, kind: 'email', addresses: ['ops@agency.example'], clientIds: [target] };
      return {
        request: { method: 'POST', url: '/api/channels', payload },
        state: async () => (await row(world, 'SELECT count(*)::int AS n FROM notify.channels WHERE name = $1', [name]))[0],
      };
    },
  },
  'GET /api/channels/{id}': onChannel('GET', '', undefined),
  'PATCH /api/channels/{id}': onChannel('PATCH', '', { name: 'Renamed by the matrix' }, channelRow),
  'DELETE /api/channels/{id}': onChannel('DELETE', '', undefined, channelRow),
  'POST /api/channels/{id}/test': onChannel('POST', '/test', undefined, attemptCount),
  'GET /api/channels/{id}/attempts': onChannel('GET', '/attempts', undefined),
};

// ---- alert rules (a client's; admins and its operators) and alerts (whoever sees the client) ----

const alertRulesOf = (world: AccessWorld, id: string) => row(world, 'SELECT overrides FROM notify.alert_rules WHERE client_id = $1', [id]);
/** Reading: the registry file's two clients. Changing: a client made for the cell alone (cells run side by side). */
const ALERT_RULE_DRIVERS: Record<string, Driver> = {
  'GET /api/clients/{id}/alert-rules': {
    targets: ['alpha', 'beta'],
    prepare: async (_world, _actor, target) => ({
      request: { method: 'GET', url: `/api/clients/${target}/alert-rules` },
      unknown: { request: { method: 'GET', url: '/api/clients/no-such-client/alert-rules' }, swap: [target, 'no-such-client'] },
    }),
  },
  'PUT /api/clients/{id}/alert-rules': {
    targets: ['a client managed in the product'],
    async prepare(world, _actor, target) {
      const id = await clientTarget(world, target);
      const payload = { rules: { 'no-data': { minExpected: 25 } } };
      return {
        request: { method: 'PUT', url: `/api/clients/${id}/alert-rules`, payload },
        unknown: { request: { method: 'PUT', url: '/api/clients/no-such-client/alert-rules', payload }, swap: [id, 'no-such-client'] },
        state: () => alertRulesOf(world, id),
      };
    },
  },
};
const ALERT_DRIVERS: Record<string, Driver> = {
  ...ALERT_RULE_DRIVERS,
  'GET /api/alerts': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/alerts' } }) },
  'GET /api/alerts/history': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/alerts/history' } }) },
};


export const DRIVERS: Record<string, Driver> = {
  'GET /health': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/health' } }) },
  'GET /clients': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/clients' } }) },
  'GET /api/me': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/me' } }) },

  'POST /api/session': {
    targets: one,
    async prepare(world) {
      const person = await world.person('member', { alpha: 'viewer' }, false, 'signing-in');
      return {
        request: { method: 'POST', url: '/api/session', payload: { email: person.email, password: PERSON_PASSWORD } },
        state: async () => (await row(world, 'SELECT count(*)::int AS n FROM access.sessions WHERE user_id = $1', [person.id]))[0],
        granted: (res) => expect(res.json()).toMatchObject({ kind: 'user', label: person.email, role: 'member' }),
      };
    },
  },
  'DELETE /api/session': {
    targets: one,
    changesCaller: () => true,
    async prepare(world, actor) {
      return {
        request: { method: 'DELETE', url: '/api/session' },
        state: async () => (actor.session ? world.sessionExists(actor.session) : null),
        // Only a live session has anything to end.
        changes: actor.session !== null && (await world.sessionExists(actor.session)),
      };
    },
  },

  'GET /api/users': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/users' } }) },
  'GET /api/users/{id}': onPerson('GET', '', undefined, async () => null),
  'PATCH /api/users/{id}': onPerson('PATCH', '', { name: 'Renamed by the matrix' }, (world, user) => personRow(world, user.id)),
  'DELETE /api/users/{id}': onPerson('DELETE', '', undefined, (world, user) => personRow(world, user.id)),
  'POST /api/users/{id}/sign-out-everywhere': onPerson('POST', '/sign-out-everywhere', undefined, async (world, user) =>
    (await row(world, 'SELECT count(*)::int AS n FROM access.sessions WHERE user_id = $1', [user.id]))[0]),
  'POST /api/users/{id}/password-reset': onPerson('POST', '/password-reset', undefined, async (world, user) =>
    (await row(world, `SELECT count(*)::int AS n FROM access.invitations WHERE purpose = 'reset' AND user_id = $1`, [user.id]))[0]),
  'POST /api/me/password': {
    targets: one,
    changesCaller: () => true,
    async prepare(world, actor) {
      return {
        request: { method: 'POST', url: '/api/me/password', payload: { current: PERSON_PASSWORD, password: NEW_PASSWORD } },
        state: async () => (actor.person ? row(world, 'SELECT password_hash FROM access.users WHERE id = $1', [actor.person.id]) : null),
      };
    },
  },

  'POST /api/invitations': {
    targets: Object.keys(INVITEES),
    async prepare(world, _actor, target) {
      const email = `${world.unique('invitee')}@people.example`;
      const payload = { email, ...INVITEES[target] };
      const unknownClient = payload.clientIds ? { ...payload, clientIds: ['nobody'] } : payload;
      return {
        request: { method: 'POST', url: '/api/invitations', payload },
        unknown: { request: { method: 'POST', url: '/api/invitations', payload: unknownClient } },
        state: async () => (await row(world, 'SELECT count(*)::int AS n FROM access.invitations WHERE email = $1', [email]))[0],
        granted: (res) => expect(res.json().invitation).toMatchObject({ email, role: payload.role }),
      };
    },
  },
  'GET /api/invitations': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/invitations' } }) },
  'DELETE /api/invitations/{id}': {
    targets: INVITATION_TARGETS,
    async prepare(world, _actor, target) {
      const { invitation } = await world.invitation(PENDING[target]!);
      return {
        request: { method: 'DELETE', url: `/api/invitations/${invitation.id}` },
        unknown: { request: { method: 'DELETE', url: `/api/invitations/${UNKNOWN_ID}` } },
        state: () => row(world, 'SELECT revoked_at FROM access.invitations WHERE id = $1', [invitation.id]),
      };
    },
  },
  'POST /api/invitations/accept': {
    targets: one,
    changesCaller: () => true,
    async prepare(world, actor) {
      // Whoever asks, the person made is the one the invitation describes: a viewer of alpha.
      const { invitation, token } = await world.invitation({ role: 'member', clients: { alpha: 'viewer' } }, actor.name === 'expired invitation link');
      return {
        request: { method: 'POST', url: '/api/invitations/accept', payload: { token, name: 'Invited Person', password: NEW_PASSWORD } },
        state: () => row(world, 'SELECT role, all_clients FROM access.users WHERE email = $1', [invitation.email]),
        granted: (res) => expect(res.json()).toMatchObject({ kind: 'user', label: invitation.email, role: 'member', allClients: false, clients: [{ id: 'alpha', role: 'viewer' }] }),
      };
    },
  },
  'POST /api/password-resets': {
    targets: one,
    async prepare(world) {
      const person = await world.person('member', { alpha: 'viewer' }, false, 'forgetful');
      return {
        request: { method: 'POST', url: '/api/password-resets', payload: { email: person.email } },
        granted: async (res) => {
          const nobody = await world.inject(null, { method: 'POST', url: '/api/password-resets', payload: { email: 'nobody@people.example' } });
          expect([res.statusCode, res.body]).toEqual([nobody.statusCode, nobody.body]); // never says who has an account
        },
      };
    },
  },
  'POST /api/password-resets/complete': {
    targets: one,
    changesCaller: () => true,
    async prepare(world, actor) {
      const person = await world.person('member', { alpha: 'viewer' }, false, 'resetting');
      const { token } = await world.reset(person, actor.name === 'expired invitation link');
      return {
        request: { method: 'POST', url: '/api/password-resets/complete', payload: { token, password: NEW_PASSWORD } },
        state: () => row(world, 'SELECT password_hash FROM access.users WHERE id = $1', [person.id]),
        granted: (res) => expect(res.json()).toMatchObject({ kind: 'user', userId: person.id, role: 'member' }),
      };
    },
  },

  'GET /api/outbox': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/outbox' } }) },
  'GET /api/audit': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/audit?limit=5' } }) },
  'GET /api/audit?format=csv': {
    targets: one,
    prepare: async () => ({
      request: { method: 'GET', url: '/api/audit?format=csv' },
      granted: (res) => expect(res.headers['content-type']).toMatch(/^text\/csv/),
    }),
  },

  'GET /api/admin/clients': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/admin/clients' } }) },
  'POST /api/admin/clients': {
    targets: one,
    async prepare(world) {
      const id = world.unique('created');
      return {
        request: { method: 'POST', url: '/api/admin/clients', payload: { id, name: 'Created by the matrix', timezone: 'Europe/Paris' } },
        state: () => clientState(world, id),
      };
    },
  },
  'PATCH /api/admin/clients/{id}': {
    targets: CLIENT_TARGETS,
    async prepare(world, _actor, target) {
      const id = await clientTarget(world, target);
      return { request: { method: 'PATCH', url: `/api/admin/clients/${id}`, payload: { name: 'Renamed by the matrix' } }, state: () => clientState(world, id) };
    },
  },
  'DELETE /api/admin/clients/{id}': {
    targets: CLIENT_TARGETS,
    async prepare(world, _actor, target) {
      const id = await clientTarget(world, target);
      return { request: { method: 'DELETE', url: `/api/admin/clients/${id}` }, state: () => clientState(world, id) };
    },
  },
  'POST /api/admin/clients/test-connection': {
    targets: one,
    prepare: async () => ({
      request: { method: 'POST', url: '/api/admin/clients/test-connection', payload: { clientId: 'alpha' } },
      granted: (res) => expect(res.json()).toMatchObject({ ok: true }),
    }),
  },

  'GET /api/tokens': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/tokens' } }) },
  'POST /api/tokens': {
    targets: Object.keys(NEW_TOKENS),
    async prepare(world, _actor, target) {
      const name = world.unique('minted');
      const payload = { name, ...NEW_TOKENS[target] };
      return {
        request: { method: 'POST', url: '/api/tokens', payload },
        unknown: { request: { method: 'POST', url: '/api/tokens', payload: { ...payload, clientId: 'nobody' } } },
        state: async () => (await row(world, 'SELECT count(*)::int AS n FROM access.tokens WHERE name = $1', [name]))[0],
        granted: (res) => expect(res.json()).toMatchObject({ kind: payload.kind, clientId: payload.clientId ?? null }),
      };
    },
  },
  'DELETE /api/tokens/{id}': {
    targets: TOKEN_TARGETS,
    async prepare(world, actor, target) {
      const { token } = await tokenTarget(world, actor, target);
      return {
        request: { method: 'DELETE', url: `/api/tokens/${token.id}` },
        unknown: { request: { method: 'DELETE', url: `/api/tokens/${UNKNOWN_ID}` } },
        state: () => row(world, 'SELECT revoked_at FROM access.tokens WHERE id = $1', [token.id]),
      };
    },
  },
  ...CHANNEL_DRIVERS,
  ...ALERT_DRIVERS,
  ...REPORT_DRIVERS,
  ...OPERATIONS_DRIVERS,
};
