import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { buildPlatformDashboard, metricNamesIn, PROMETHEUS_DATASOURCE_UID } from '../../src/grafana/platformDashboard.ts';
import { PLATFORM_DASHBOARDS_MOUNT, renderPlatformGrafanaFiles } from '../../src/grafana/platformFiles.ts';
import { bearer, buildTestApp, testClient } from '../helpers/buildTestApp.ts';
import { dashboardErrors, panelErrors } from '../helpers/grafanaSchemas.ts';
import { exportedNames, parseExposition } from '../helpers/prometheusText.ts';
import { METRICS_TOKEN } from '../helpers/secrets.ts';

const dashboard = buildPlatformDashboard();
const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => [p.title, String(t.expr)] as const));

let exported: Set<string>;

beforeAll(async () => {
  // A real scrape of a test app: what the API really exports, before any traffic.
  const app = await buildTestApp([testClient('alpha', 'UTC', null)], { metricsToken: METRICS_TOKEN });
  try {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
    expect(res.statusCode).toBe(200);
    const scrape = parseExposition(res.body);
    expect(scrape.badLines).toEqual([]);
    exported = exportedNames(scrape);
  } finally {
    await app.close();
  }
}, 60_000);

describe('the platform dashboard', () => {
  it('validates against the classic dashboard schema', () => {
    expect(dashboardErrors(dashboard)).toEqual([]);
  });

  it.each(dashboard.panels.map((p) => [p.title, p] as const))('%s has options and field config its panel schema accepts', (_title, panel) => {
    expect(panelErrors(panel)).toEqual([]);
  });

  it('reads only the Prometheus data source Compose provisions', () => {
    const refs = dashboard.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)]);
    expect([...new Set(refs.map((r) => JSON.stringify(r)))]).toEqual([JSON.stringify({ type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID })]);
  });

  it.each(exprs)('%s: its PromQL names only metrics a real scrape exports (%s)', (_title, expr) => {
    const names = metricNamesIn(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('shows every kind of metric the issue asks for', () => {
    const read = new Set(exprs.flatMap(([, expr]) => metricNamesIn(expr)));
    for (const name of ['cba_http_request_duration_seconds_bucket', 'cba_client_answers_total', 'cba_client_errors_total', 'cba_db_connections',
      'cba_db_waiting_requests', 'cba_cache_lookups_total', 'cba_rollup_lag_seconds', 'cba_job_queue_jobs', 'cba_job_failures_total', 'cba_deliveries_total']) {
      expect(read.has(name), name).toBe(true);
    }
  });

  it('finds metric names the way PromQL reads them', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{x="y"}[5m])))')).toEqual(['a_bucket']);
    expect(metricNamesIn('sum(increase(a_total{o="hit"}[1h])) / clamp_min(sum(b_total), 1)')).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('min(up_thing) or vector(0)')).toEqual(['up_thing']);
  });
});

describe("the platform dashboard's Grafana provisioning", () => {
  const files = renderPlatformGrafanaFiles();

  it('is committed exactly as the generator writes it (run `npm run grafana:dashboards`)', () => {
    for (const [path, content] of files) expect(readFileSync(path, 'utf8'), `${path} is stale`).toBe(content);
  });

  it('provisions the Prometheus data source the panels use, and the dashboard folder Compose mounts, in the main org', () => {
    const [datasources, providers] = [...files.values()].slice(0, 2).map((content) => parse(content));
    expect(datasources.datasources).toEqual([expect.objectContaining({ uid: PROMETHEUS_DATASOURCE_UID, type: 'prometheus', orgId: 1, url: 'http://prometheus:9090' })]);
    expect(providers.providers).toEqual([expect.objectContaining({ orgId: 1, type: 'file', options: { path: PLATFORM_DASHBOARDS_MOUNT, foldersFromFilesStructure: false } })]);
  });
});
