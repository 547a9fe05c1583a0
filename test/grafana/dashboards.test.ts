import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { buildClientDashboard, DATASOURCE_TYPE } from '../../src/grafana/buildDashboard.ts';
import { DASHBOARDS_DIR, renderDashboardFiles } from '../../src/grafana/dashboardFiles.ts';
import { dashboardErrors, panelErrors } from '../helpers/grafanaSchemas.ts';

// The committed files are generated from the default registry with default settings, whatever this machine's .env says.
const config = loadConfig({});
const dashboards = config.clients.map((client) => buildClientDashboard(client, config.grafana.datasourceUid));

describe('generated Grafana dashboards', () => {
  it.each(dashboards.map((d) => [d.uid, d]))('%s validates against the classic dashboard schema', (_uid, dashboard) => {
    expect(dashboardErrors(dashboard)).toEqual([]);
  });

  it.each(dashboards.flatMap((d) => d.panels.map((p) => [`${d.uid} / ${p.title}`, p] as const)))(
    '%s has options and field config its panel schema accepts',
    (_name, panel) => expect(panelErrors(panel)).toEqual([]),
  );

  it('lets a viewer choose the funnel mode and window, defaulting to the API\'s definition', () => {
    expect(dashboards[0]!.templating.list.map((v) => [v.name, v.type, v.current.value, v.query])).toEqual([
      ['mode', 'custom', 'any', 'any,ordered'],
      ['window', 'custom', 'none', 'none,PT5M,PT10M,PT30M,PT1H,PT2H,PT6H,P1D'],
    ]);
  });

  it('has every panel the issue asks for, on the PostgreSQL data source with one uid', () => {
    const [maple] = dashboards;
    expect(maple!.panels.map((p) => [p.type, p.title])).toEqual([
      ['bargauge', 'Conversion funnel'],
      ['stat', 'Conversion rates'],
      ['stat', 'Session duration'],
      ['timeseries', 'Daily sessions and funnel'],
      ['barchart', 'Hourly distribution'],
      ['table', 'Weekday × hour heatmap'],
      ['table', 'Latest sessions'],
      ['stat', 'Leads'],
      ['stat', 'Lead capture rate'],
      ['timeseries', 'Leads per day'],
      ['table', 'Time to convert'],
      ['bargauge', 'After a human request'],
      ['stat', 'Containment'],
      ['stat', 'Time to agent'],
      ['table', 'Leads by source'],
      ['table', 'Unanswered human requests (weekday × hour)'],
    ]);
    const sources = new Set(dashboards.flatMap((d) => d.panels.flatMap((p) => (p.type === 'text' ? [] : [p.datasource, ...p.targets.map((t) => t.datasource)]))));
    expect([...new Set([...sources].map((s) => JSON.stringify(s)))]).toEqual([JSON.stringify({ type: DATASOURCE_TYPE, uid: 'chatbot-analytics-pg' })]);
  });

  it("buckets in the client's own time zone and never with $__timeGroup", () => {
    for (const dashboard of dashboards) {
      expect(dashboard.timezone).toBe(config.clients.find((c) => `chatbot-${c.id}` === dashboard.uid)!.timezone);
      for (const panel of dashboard.panels) {
        if (panel.type === 'text') continue;
        const sql = String(panel.targets[0]!.rawSql);
        expect(sql).not.toContain('$__timeGroup');
        if (/AT TIME ZONE '(?!UTC)/.test(sql)) expect(sql).toContain(`AT TIME ZONE '${dashboard.timezone}'`);
      }
    }
  });

  it('are committed exactly as the generator writes them (run `npm run grafana:dashboards`)', () => {
    for (const [file, content] of renderDashboardFiles(config.clients, config.grafana.datasourceUid)) {
      expect(readFileSync(join(DASHBOARDS_DIR, file), 'utf8'), `${file} is stale`).toBe(content);
    }
  });
});
