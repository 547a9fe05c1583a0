import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { bearer, buildTestApp, KEYS } from '../helpers/buildTestApp.ts';
import { startTempPostgres, type TempPostgres } from '../helpers/tempPostgres.ts';
import { clientIdOf, createManyClients, sessionsOf, slowDown } from '../helpers/manyClients.ts';
import { connectClient } from '../../src/db/pool.ts';
import type { ClientConfig } from '../../src/config/clients.ts';

/**
 * Which failures are the database's, and what one busy client costs the others. A server of our own
 * (`max_connections` 40) holds two clients in databases of their own.
 */
type App = Awaited<ReturnType<typeof buildTestApp>>;
const DAY = 'from=2024-04-07&to=2024-04-07';
let server: TempPostgres;
let clients: ClientConfig[];
let app: App;
const logLines: string[] = [];

beforeAll(async () => {
  server = await startTempPostgres();
  clients = await createManyClients(server.url, 2, 0);
  app = await buildTestApp(clients, { admin: KEYS.admin, logLines, db: { poolMax: 3, acquireTimeoutMs: 600, statementTimeoutMs: 5000 } });
}, 120_000);
afterAll(async () => {
  await app?.close();
  server?.destroy();
});

const funnel = (clientId: string) => app.inject({ method: 'GET', url: `/api/${clientId}/funnel?${DAY}`, headers: bearer(KEYS.admin) });

describe('failures and their labels', () => {
  it('never labels a sign-in whose body was cut short as a database failure', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(base).port);
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end('POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nkey=a');
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const text = logLines.join('');
    expect(text).toContain('"url":"/login"'); // the request did arrive
    expect(text).not.toMatch(/DATABASE_UNAVAILABLE|database is unreachable/i);
  });

  it('answers DATABASE_BUSY with Retry-After when the server itself has no connection left (53300), then recovers', async () => {
    const hogs: pg.Client[] = [];
    try {
      // Fill the server to its max_connections, as the chatbots themselves might.
      for (;;) {
        try {
          hogs.push(await connectClient({ connectionString: server.url }));
        } catch {
          break;
        }
      }
      expect(hogs.length).toBeGreaterThan(30);
      const res = await funnel(clientIdOf(0));
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('DATABASE_BUSY');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await Promise.all(hogs.map((hog) => hog.end()));
    }
    const again = await funnel(clientIdOf(0));
    expect(again.statusCode).toBe(200);
    expect(again.json().sessions).toBe(sessionsOf(0));
  });

  it("keeps one client's burst of slow queries to its own share: at most 3 connections, the rest queue or get DATABASE_BUSY", async () => {
    const slow = clientIdOf(0);
    const quiet = clientIdOf(1);
    const restore = await slowDown(server.url, `db_${slow}`, 0.4);
    try {
      let peak = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const probe = await connectClient({ connectionString: server.url });
          const { rows } = await probe.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'chatbot-analytics'`, [`db_${slow}`]);
          await probe.end();
          peak = Math.max(peak, rows[0]!.n);
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      })();
      const burst = Promise.all(Array.from({ length: 20 }, () => funnel(slow)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const quietAnswers = await Promise.all(Array.from({ length: 10 }, () => funnel(quiet)));
      const burstAnswers = await burst;
      sampling = false;
      await sampler;
      expect(quietAnswers.map((a) => [a.statusCode, a.json().sessions])).toEqual(quietAnswers.map(() => [200, sessionsOf(1)]));
      expect(peak).toBeLessThanOrEqual(3);
      const codes = burstAnswers.map((a) => (a.statusCode === 200 ? 'ok' : a.json().error.code));
      expect(codes).toContain('ok');
      expect(codes).toContain('DATABASE_BUSY'); // 20 × 0.4 s on 3 connections cannot fit in a 0.6 s wait
      expect(new Set(codes)).toEqual(new Set(['ok', 'DATABASE_BUSY']));
    } finally {
      await restore();
    }
  });
});
