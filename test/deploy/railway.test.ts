import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { buildTestApp, KEYS, testClient } from '../helpers/buildTestApp.ts';

interface RailwayConfig {
  $schema: string;
  build: Record<string, unknown>;
  deploy: Record<string, unknown>;
}

const railway = JSON.parse(readFileSync('railway.json', 'utf8')) as RailwayConfig;

/** Field names from Railway's config-as-code reference (docs.railway.com/config-as-code/reference): a typo is ignored silently there. */
const BUILD_FIELDS = ['builder', 'watchPatterns', 'buildCommand', 'dockerfilePath', 'railpackVersion'];
const DEPLOY_FIELDS = [
  'startCommand',
  'preDeployCommand',
  'multiRegionConfig',
  'numReplicas',
  'healthcheckPath',
  'healthcheckTimeout',
  'restartPolicyType',
  'restartPolicyMaxRetries',
  'cronSchedule',
  'overlapSeconds',
  'drainingSeconds',
  'sleepApplication',
];

describe('railway.json', () => {
  it("names Railway's schema and only fields Railway knows", () => {
    expect(railway.$schema).toBe('https://railway.com/railway.schema.json');
    expect(Object.keys(railway).sort()).toEqual(['$schema', 'build', 'deploy']);
    expect(Object.keys(railway.build).filter((key) => !BUILD_FIELDS.includes(key))).toEqual([]);
    expect(Object.keys(railway.deploy).filter((key) => !DEPLOY_FIELDS.includes(key))).toEqual([]);
  });

  it("builds from this repository's Dockerfile and keeps its CMD (no start command override)", () => {
    expect(railway.build.builder).toBe('DOCKERFILE');
    expect(typeof railway.build.dockerfilePath).toBe('string');
    expect(existsSync(railway.build.dockerfilePath as string)).toBe(true);
    expect(railway.deploy).not.toHaveProperty('startCommand');
  });

  it('restarts on failure a bounded number of times, with numbers where Railway wants numbers', () => {
    expect(railway.deploy.restartPolicyType).toBe('ON_FAILURE');
    expect(Number.isInteger(railway.deploy.restartPolicyMaxRetries)).toBe(true);
    expect(railway.deploy.restartPolicyMaxRetries).toBeGreaterThan(0);
    for (const field of ['healthcheckTimeout', 'restartPolicyMaxRetries', 'drainingSeconds', 'overlapSeconds', 'numReplicas']) {
      if (field in railway.deploy) expect(typeof railway.deploy[field], field).toBe('number'); // a string fails the deploy
    }
  });

  it("gives the graceful shutdown (SHUTDOWN_TIMEOUT_MS, default 10 s) time before Railway's SIGKILL", () => {
    expect(railway.deploy.drainingSeconds as number).toBeGreaterThan(10);
  });

  it('checks readiness on /ready within a bounded time, and the app answers it 200 without a key even when keys are set', async () => {
    expect(railway.deploy.healthcheckPath).toBe('/ready');
    expect(railway.deploy.healthcheckTimeout as number).toBeGreaterThanOrEqual(30);
    expect(railway.deploy.healthcheckTimeout as number).toBeLessThanOrEqual(300);
    const app = await buildTestApp([testClient('maple', 'Australia/Sydney', null)], { admin: KEYS.admin });
    try {
      const res = await app.inject({ method: 'GET', url: railway.deploy.healthcheckPath as string });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ready', checks: { platformDatabase: 'ok', migrations: 'ok', registry: 'ok' } });
    } finally {
      await app.close();
    }
  });
});
