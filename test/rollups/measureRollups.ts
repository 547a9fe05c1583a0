/**
 * Rollup figures on generated data (not part of `npm test`; timings never belong in assertions):
 *   npx tsx test/rollups/measureRollups.ts [sessions=1000000]
 * Creates a client and a platform database on the local PostgreSQL, fills `UserEvents` with a year of sessions with
 * `generate_series` (daily rhythm, funnel ratios), indexes it as the doctor advises (anchor expression, updatedAt),
 * then times the full build, an incremental refresh after 10 k new + 10 k updated sessions, and reader vs raw SQL.
 * Both databases are dropped at the end (`ROLLUP_MEASURE_KEEP=1` keeps them and prints their names).
 */
import { randomBytes } from 'node:crypto';
import { getCounts } from '../../src/analytics/getCounts.ts';
import { getDaily } from '../../src/analytics/getDaily.ts';
import { getHourly } from '../../src/analytics/getHourly.ts';
import { describeSource } from '../../src/tenants/clientSource.ts';
import { anchor } from '../../src/analytics/sql.ts';
import { createClientTablesSql } from '../../src/tenants/clientTables.ts';
import { refreshRollups, RollupReader } from '../../src/rollups/index.ts';
import { migratePlatform } from '../../src/platform/migrations.ts';
import { queryOf } from './support.ts';
import { connectClient, createPool } from '../../src/db/pool.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SESSIONS = Number(process.argv[2] ?? 1_000_000);
const suffix = randomBytes(4).toString('hex');
const names = { client: `rollup_measure_${suffix}`, platform: `rollup_measure_platform_${suffix}` };
const urlOf = (db: string) => Object.assign(new URL(ADMIN_URL), { pathname: `/${db}` }).toString();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function admin(sql: string) {
  const c = await connectClient({ connectionString: ADMIN_URL });
  try { await c.query(sql); } finally { await c.end(); }
}

/** A year of sessions: hour-of-day rhythm (quiet nights), ~90% page loads, 30% widget, 8% human, actions after it. */
function fillSql(from: number, to: number, base: string) {
  return `INSERT INTO "public"."UserEvents" ("sessionId", "pageLoaded", "widgetOpened", "requestedHuman", "pressedAccept", "pressedCallback", "pressedContinue", "createdAt", "updatedAt")
  SELECT 's' || g, CASE WHEN r1 < 0.9 THEN t END, CASE WHEN r2 < 0.3 THEN t + interval '40 seconds' END,
         CASE WHEN r2 < 0.08 THEN t + interval '90 seconds' END, CASE WHEN r2 < 0.03 THEN t + interval '3 minutes' END,
         CASE WHEN r2 >= 0.03 AND r2 < 0.05 THEN t + interval '4 minutes' END, CASE WHEN r2 >= 0.05 AND r2 < 0.06 THEN t + interval '5 minutes' END,
         t - interval '2 seconds', t + interval '6 minutes'
    FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3 FROM generate_series(${from}, ${to}) AS g) AS r,
         LATERAL (SELECT timestamp '${base}' + floor((g % ${SESSIONS}) * 365.0 / ${SESSIONS}) * interval '1 day'
                  + (6 + 16 * sqrt(r3)) * interval '1 hour' * (CASE WHEN r3 < 0.05 THEN 0.3 ELSE 1 END) AS t) AS x`;
}

async function timed<T>(runs: number, work: () => Promise<T>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs * 0.5)]!, p95: times[Math.min(runs - 1, Math.ceil(runs * 0.95) - 1)]! };
}

await admin(`CREATE DATABASE "${names.client}"`);
await admin(`CREATE DATABASE "${names.platform}"`);
const client = createPool({ connectionString: urlOf(names.client), max: 4 });
const platform = createPool({ connectionString: urlOf(names.platform), max: 4 });
try {
  let started = performance.now();
  await client.query(createClientTablesSql('public')[0]!);
  for (let from = 1; from <= SESSIONS; from += 250_000) {
    await client.query(fillSql(from, Math.min(SESSIONS, from + 249_999), '2025-01-01'));
    process.stdout.write(`\rgenerated ${Math.min(SESSIONS, from + 249_999)} / ${SESSIONS}`);
  }
  const source0 = await describeSource(client, 'public');
  await client.query(`CREATE INDEX ON "public"."UserEvents" ((${anchor(source0.tables.UserEvents!)}))`);
  await client.query('CREATE INDEX ON "public"."UserEvents" ("updatedAt")');
  await client.query('VACUUM ANALYZE "public"."UserEvents"');
  console.log(`\ndata + indexes: ${seconds(performance.now() - started)}`);

  await migratePlatform(platform);
  const source = await describeSource(client, 'public');
  const full = await refreshRollups(client, platform, 'measure', source, {
    onProgress: (p) => p.rowsRead % 250_000 === 0 && process.stdout.write(`\rbuilding: ${p.rowsRead} / ≈${p.estimate}`),
  });
  console.log(`\nfull build: ${seconds(full.ms)} — ${full.rowsRead} rows, ${full.bucketsTouched} buckets, watermark ${full.watermark}`);

  // Realistic: 10 k new sessions on the last day, 10 k recent sessions gaining a step. Then the worst case: both
  // scattered over the whole year (every bucket touched is recomputed from raw rows).
  const stamp = (at: string) => `timestamp '${at}' + random() * interval '1 minute'`;
  for (const [label, updated, fresh, at] of [
    ['recent', `SELECT 's' || g FROM generate_series(${SESSIONS - 9_999}, ${SESSIONS}) AS g`, [SESSIONS + 1, '2025-12-31'], '2026-01-01 00:00'],
    ['scattered', `SELECT 's' || (g * ${Math.floor(SESSIONS / 10_000)}) FROM generate_series(1, 10000) AS g`, [SESSIONS + 10_001, '2025-01-01'], '2026-01-01 00:10'],
  ] as const) {
    started = performance.now();
    await client.query(`UPDATE "public"."UserEvents" SET "widgetOpened" = COALESCE("widgetOpened", "createdAt" + interval '1 minute'),
      "requestedHuman" = COALESCE("requestedHuman", "createdAt" + interval '2 minutes'), "updatedAt" = ${stamp(at)} WHERE "sessionId" IN (${updated})`);
    const [first, base] = fresh;
    const newRows = fillSql(first, first + 9_999, base).replace(/t \+ interval '6 minutes'$/m, stamp(at));
    await client.query(label === 'recent' ? newRows.replace(/floor\(\(g % \d+\) \* 365\.0 \/ \d+\)/, '0') : newRows);
    const written = performance.now() - started;
    const report = await refreshRollups(client, platform, 'measure', source);
    console.log(`${label}: 10 k updated + 10 k new written in ${seconds(written)}; incremental refresh ${report.ms} ms — read ${report.rowsRead}, changed ${report.sessionsChanged}, ${report.bucketsTouched} buckets`);
  }
  const idle = await refreshRollups(client, platform, 'measure', source);
  console.log(`refresh with nothing new: ${idle.ms} ms — read ${idle.rowsRead}, changed ${idle.sessionsChanged}`);

  const reader = new RollupReader(platform, () => client);
  for (const [label, range] of [['365 days', { from: '2025-01-01', to: '2025-12-31' }], ['30 days', { from: '2025-06-01', to: '2025-06-30' }]] as const) {
    const q = queryOf(range, 'Australia/Sydney');
    const metrics: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ['counts', () => getCounts(client, source, q), () => reader.counts('measure', source, q)],
      ['daily', () => getDaily(client, source, q), () => reader.daily('measure', source, q)],
      ['hourly', () => getHourly(client, source, q), () => reader.hourly('measure', source, q)],
    ];
    for (const [metric, raw, rolled] of metrics) {
      if (JSON.stringify(await raw()) !== JSON.stringify(await rolled())) throw new Error(`${metric} ${label}: answers differ`);
      const [r, o] = [await timed(5, raw), await timed(20, rolled)];
      console.log(`${label} ${metric}: raw p50 ${r.p50.toFixed(0)} ms / p95 ${r.p95.toFixed(0)} ms; rollups p50 ${o.p50.toFixed(1)} ms / p95 ${o.p95.toFixed(1)} ms`);
    }
  }
  const { rows: [size] } = await platform.query<{ buckets: string; sessions: string }>(
    `SELECT pg_size_pretty(pg_total_relation_size('rollups.buckets')) AS buckets, pg_size_pretty(pg_total_relation_size('rollups.sessions')) AS sessions`);
  console.log(`platform storage: buckets ${size!.buckets}, per-session map ${size!.sessions}`);
} finally {
  await client.end();
  await platform.end();
  if (process.env.ROLLUP_MEASURE_KEEP === '1') console.log(`kept databases ${names.client} and ${names.platform}`);
  else for (const db of Object.values(names)) await admin(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
}
