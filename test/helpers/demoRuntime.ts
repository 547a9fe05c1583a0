import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.ts';
import { startRuntime, type Runtime } from '../../src/main/runtime.ts';
import { testClient, testConfig } from './buildTestApp.ts';
import { capturedLogger } from './logCapture.ts';
import { asPlatformDatabase, createTestDatabase, type TestDatabase } from './testDatabase.ts';

export interface DemoRuntime {
  runtime: Runtime;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The demo runtime as `npm start` runs it on a fresh machine (config/clients.json's two clients, no database URLs, no
 * SMTP: embedded client data with the demo's scenarios, the jobs, the demo's extras), on a platform database of the
 * test's own (a real PostgreSQL, quicker to start than the embedded one). The app is not listening unless asked.
 */
export async function startDemoRuntime(label: string, logLines?: string[], options: { embeddedPlatform?: boolean } = {}): Promise<DemoRuntime> {
  const clients = [
    { ...testClient('maple', 'Australia/Sydney', null), name: 'Maple Dental Clinic', domain: 'mapledental.com.au', branding: { primaryColor: '#0f766e', logoUrl: null } },
    { ...testClient('client2', 'Europe/London', null), name: 'Northwind Outdoor Shop', domain: 'northwind-outdoor.co.uk', branding: { primaryColor: '#b45309', logoUrl: null } },
  ];
  const log = capturedLogger(logLines);
  // `embeddedPlatform`: PGlite, exactly as `npm start` runs (one transaction at a time, at most 8 connections).
  const db: TestDatabase | null = options.embeddedPlatform ? null : await createTestDatabase(`demo_${label}`);
  const config = { ...testConfig(clients), demo: true };
  const runtime = await startRuntime(config, log, db ? { platform: await asPlatformDatabase(db) } : {});
  const app = await buildApp(runtime.context(), { loggerInstance: log });
  return {
    runtime, app,
    async close() {
      await app.close();
      await runtime.close();
      await db?.drop();
    },
  };
}
