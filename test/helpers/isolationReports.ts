import { expect } from 'vitest';
import type { AccessWorld } from './accessWorld.ts';
import type { Driver } from './isolationDrivers.ts';
import { clientTarget } from './isolationTargets.ts';

/**
 * How the access matrix acts on the report routes, the portfolio and the operations endpoints. Cells run side by
 * side, and alpha's, beta's and the digest's settings are one row each: a cell changing them writes an address of
 * its own, and its state is whether that address is stored anywhere — a refusal must never store it, and what
 * another cell writes meanwhile cannot disturb it. That a success really changes the settings is proved on a client
 * made for the cell alone ('a client managed in the product'), and for the digest by the row the PATCH returns.
 */
const one = ['-'] as const;
const UNKNOWN = 'no-such-client';
const count = async (world: AccessWorld, sql: string, values: unknown[]) => (await world.db.query<{ n: number }>(sql, values)).rows[0]!.n;
/** How many report settings list `address` among their recipients. */
const holding = (world: AccessWorld, address: string) =>
  count(world, 'SELECT count(*)::int AS n FROM notify.report_schedules WHERE recipients @> $1::jsonb', [JSON.stringify([address])]);
const settingsOf = async (world: AccessWorld, id: string) =>
  (await world.db.query('SELECT kind, enabled, cron, recipients FROM notify.report_schedules WHERE client_id = $1 ORDER BY kind', [id])).rows;

/** A GET of a client's own report route, on alpha and beta (the registry file's clients). */
function clientGet(suffix: string): Driver {
  return {
    targets: ['alpha', 'beta'],
    prepare: async (_world, _actor, target) => ({
      request: { method: 'GET', url: `/api/clients/${target}${suffix}` },
      unknown: { request: { method: 'GET', url: `/api/clients/${UNKNOWN}${suffix}` }, swap: [target, UNKNOWN] },
      granted: (res) => {
        if (suffix === '/reports') expect(res.json().clientId).toBe(target);
        else expect([res.headers['content-type'], res.body]).toEqual(['text/html; charset=utf-8', expect.stringContaining(`Client ${target}`)]);
      },
    }),
  };
}

const PATCH_CLIENT_REPORTS: Driver = {
  targets: ['alpha', 'beta', 'a client managed in the product'],
  async prepare(world, _actor, target) {
    const id = target === 'alpha' || target === 'beta' ? target : await clientTarget(world, target);
    const address = `${world.unique('weekly')}@matrix.example`;
    const payload = { weekly: { recipients: [address], cron: '0 7 * * 1' } };
    const own = id !== target;
    return {
      request: { method: 'PATCH', url: `/api/clients/${id}/reports`, payload },
      unknown: { request: { method: 'PATCH', url: `/api/clients/${UNKNOWN}/reports`, payload }, swap: [id, UNKNOWN] },
      // Alpha's and beta's settings are shared with the cells beside this one: only this cell's address is its own.
      state: own ? () => settingsOf(world, id) : () => holding(world, address),
      changes: own,
      granted: (res) => {
        expect(res.json().clientId).toBe(id);
        if (own) expect(res.json().weekly).toMatchObject({ recipients: [address], cron: '0 7 * * 1' });
      },
    };
  },
};

const PATCH_DIGEST: Driver = {
  targets: one,
  async prepare(world) {
    const address = `${world.unique('digest')}@matrix.example`;
    return {
      request: { method: 'PATCH', url: '/api/reports/digest', payload: { recipients: [address] } },
      state: () => holding(world, address),
      // Another admin's cell may replace the address before this one reads it back: the row the PATCH returns proves it.
      changes: false,
      granted: (res) => expect(res.json().recipients).toEqual([address]),
    };
  },
};

export const REPORT_DRIVERS: Record<string, Driver> = {
  'GET /api/clients/{id}/reports': clientGet('/reports'),
  'PATCH /api/clients/{id}/reports': PATCH_CLIENT_REPORTS,
  'GET /api/clients/{id}/reports/preview': clientGet('/reports/preview'),
  'GET /api/reports/digest': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/api/reports/digest' }, granted: (res) => expect(res.json().cron).toEqual(expect.any(String)) }) },
  'PATCH /api/reports/digest': PATCH_DIGEST,
  'GET /api/reports/digest/preview': {
    targets: one,
    prepare: async () => ({ request: { method: 'GET', url: '/api/reports/digest/preview' }, granted: (res) => expect(res.headers['content-type']).toBe('text/html; charset=utf-8') }),
  },
};

export const OPERATIONS_DRIVERS: Record<string, Driver> = {
  'GET /api/portfolio': {
    targets: one,
    prepare: async () => ({ request: { method: 'GET', url: '/api/portfolio' }, granted: (res) => expect(res.json().clients).toEqual(expect.any(Array)) }),
  },
  'GET /metrics': {
    targets: one,
    prepare: async () => ({ request: { method: 'GET', url: '/metrics' }, granted: (res) => expect(res.body).toContain('# TYPE cba_') }),
  },
  'GET /ready': { targets: one, prepare: async () => ({ request: { method: 'GET', url: '/ready' }, granted: (res) => expect(res.json().status).toBe('ready') }) },
};
