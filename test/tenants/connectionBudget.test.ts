import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, KEYS } from '../helpers/buildTestApp.ts';
import { startTempPostgres, type TempPostgres } from '../helpers/tempPostgres.ts';
import { startSlowGoodbye } from '../helpers/slowGoodbye.ts';
import { clientIdOf, createManyClients, platformConnections, sampleConnections, sessionsOf, slowDown } from '../helpers/manyClients.ts';
import type { ClientConfig } from '../../src/config/clients.ts';

/**
 * An agency's shape: 150 clients on one PostgreSQL server of our own (`max_connections` 40), 25 in databases of their
 * own and 125 as schemas of one shared database. The platform may hold at most 10 connections to that server.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
const BUDGET = 10;
const DAY = 'from=2024-04-07&to=2024-04-07';

let server: TempPostgres;
let clients: ClientConfig[];

beforeAll(async () => {
  server = await startTempPostgres();
  clients = await createManyClients(server.url, 25, 125);
}, 120_000);
afterAll(() => server?.destroy());

/** An app with the budget, closed (its connections with it) after `work`, so each case counts only its own. */
async function withApp(db: { acquireTimeoutMs: number; idleTimeoutMs?: number }, work: (app: App) => Promise<void>, served = clients) {
  const app = await buildTestApp(served, { admin: KEYS.admin, db: { maxConnectionsPerServer: BUDGET, poolMax: 3, ...db } });
  try {
    await work(app);
  } finally {
    await app.close();
  }
}

const funnelOf = (app: App, clientId: string) =>
  app.inject({ method: 'GET', url: `/api/${clientId}/funnel?${DAY}`, headers: bearer(KEYS.admin) });

/** Runs `work` over `items`, `concurrency` at a time. */
async function inBatches<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  }));
  return results;
}

describe('150 clients on one PostgreSQL server with max_connections 40', () => {
  it('answers every client with its own numbers, 100 at a time, never holding more than the budget', () => withApp({ acquireTimeoutMs: 20_000 }, async (app) => {
    const sampler = sampleConnections(server.url);
    const answers = await inBatches(clients, 100, (client) => funnelOf(app, client.id));
    const { max, count, failures } = await sampler.stop();
    expect(answers.map((a) => a.statusCode)).toEqual(clients.map(() => 200));
    expect(answers.map((a) => a.json().sessions)).toEqual(clients.map((_, i) => sessionsOf(i)));
    expect(count).toBeGreaterThan(5);
    expect(failures).toEqual([]); // a separate connection always got in
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(BUDGET);
  }));

  it('answers DATABASE_BUSY with Retry-After when deliberately overloaded, never DATABASE_UNAVAILABLE', () => withApp({ acquireTimeoutMs: 150 }, async (app) => {
    const sampler = sampleConnections(server.url);
    // Three requests per client, all at once, with a bound on the wait far below what the queue needs.
    const requests = clients.flatMap((client) => [client.id, client.id, client.id]);
    const answers = await Promise.all(requests.map((id) => funnelOf(app, id)));
    const { max, failures } = await sampler.stop();
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.statusCode, (byStatus.get(a.statusCode) ?? 0) + 1);
    expect([...byStatus.keys()].sort()).toEqual([200, 503]);
    for (const busy of answers.filter((a) => a.statusCode === 503)) {
      expect(busy.json().error.code).toBe('DATABASE_BUSY');
      expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    }
    for (const ok of answers.filter((a) => a.statusCode === 200)) {
      expect(ok.json().sessions).toBe(sessionsOf(Number(ok.json().clientId.slice(1))));
    }
    expect(failures).toEqual([]);
    expect(max).toBeLessThanOrEqual(BUDGET);
  }));

  it('counts a closing connection against the budget until the server has let it go', async () => {
    // Each goodbye reaches the server 300 ms late, so a place handed on at once would hold one more than the budget.
    const relay = await startSlowGoodbye(server.url, 300);
    const relayed = clients.map((client) => {
      const database = client.database!;
      return { ...client, database: { ...database, url: relay.url(new URL(database.url).pathname.slice(1)) } };
    });
    try {
      await withApp({ acquireTimeoutMs: 20_000 }, async (app) => {
        const sampler = sampleConnections(server.url, 10);
        const answers = await inBatches(relayed, 100, (client) => funnelOf(app, client.id));
        const { max, failures } = await sampler.stop();
        expect(answers.map((a) => a.json().sessions)).toEqual(clients.map((_, i) => sessionsOf(i)));
        expect(failures).toEqual([]);
        expect(max).toBeGreaterThan(0);
        expect(max).toBeLessThanOrEqual(BUDGET);
      }, relayed);
    } finally {
      await relay.stop();
    }
  });

  it('serves a quiet client ahead of the queue another client built up', () => withApp({ acquireTimeoutMs: 20_000 }, async (app) => {
    const busy = clientIdOf(0);
    const quiet = clientIdOf(140);
    // The busy client's queries take 0.2 s each: 60 of them on its 3 connections need about 4 s.
    const restore = await slowDown(server.url, `db_${busy}`, 0.2);
    try {
      let floodDone = 0;
      const flood = Promise.all(Array.from({ length: 60 }, async () => {
        const answer = await funnelOf(app, busy);
        floodDone++;
        return answer;
      }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const answer = await funnelOf(app, quiet);
      const doneBeforeQuiet = floodDone;
      const flooded = await flood;
      expect(answer.statusCode).toBe(200);
      expect(answer.json().sessions).toBe(sessionsOf(140));
      expect(flooded.every((a) => a.statusCode === 200 && a.json().sessions === sessionsOf(0))).toBe(true);
      // The busy client holds at most 3 connections, so its requests queue behind themselves and the quiet client
      // is served within the first round of them, not after the 60.
      expect(doneBeforeQuiet).toBeLessThanOrEqual(6);
    } finally {
      await restore();
    }
  }));

  it('serves waiting clients in turn when the server budget is full, not in the order requests arrived', () => withApp({ acquireTimeoutMs: 20_000 }, async (app) => {
    // Five clients want 3 connections each (15 > the budget of 10), each with 30 slow requests queued first.
    const busy = [0, 1, 2, 3, 4].map(clientIdOf);
    const quiet = clientIdOf(140);
    const restores = await Promise.all(busy.map((id) => slowDown(server.url, `db_${id}`, 0.2)));
    try {
      let floodDone = 0;
      const flood = Promise.all(busy.flatMap((id) => Array.from({ length: 30 }, async () => {
        const answer = await funnelOf(app, id);
        floodDone++;
        return answer;
      })));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const answer = await funnelOf(app, quiet);
      const doneBeforeQuiet = floodDone;
      const flooded = await flood;
      expect(answer.json().sessions).toBe(sessionsOf(140));
      expect(flooded.every((a) => a.statusCode === 200)).toBe(true);
      // First come, first served would put it behind ~140 queued requests; in turn, it waits for one round at most.
      expect(doneBeforeQuiet).toBeLessThanOrEqual(20);
    } finally {
      for (const restore of restores) await restore();
    }
  }));

  it('gives idle connections back: after the idle timeout the platform holds none', () => withApp({ acquireTimeoutMs: 20_000, idleTimeoutMs: 300 }, async (app) => {
    await inBatches(clients.slice(0, 40), 40, (client) => funnelOf(app, client.id));
    expect(await platformConnections(server.url)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await platformConnections(server.url)).toBe(0);
  }));
});
