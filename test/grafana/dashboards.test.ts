import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { buildClientDashboard, DATASOURCE_TYPE } from '../../src/grafana/buildDashboard.ts';
import { DASHBOARDS_DIR, renderDashboardFiles } from '../../src/grafana/dashboardFiles.ts';

const SCHEMAS = 'test/schemas/grafana';
const schema = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, `${name}.jsonschema.json`), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
const validateDashboard = ajv.compile(schema('dashboard'));
const panelValidators = new Map<string, { options: ReturnType<typeof ajv.compile>; custom?: ReturnType<typeof ajv.compile> }>();
function validatorsFor(type: string) {
  if (!panelValidators.has(type)) {
    const s = schema(type);
    const part = (definition: string) => new Ajv({ strict: false, allErrors: true }).compile({ ...s, $ref: `#/definitions/${definition}` });
    panelValidators.set(type, { options: part('Options'), custom: s.definitions.FieldConfig ? part('FieldConfig') : undefined });
  }
  return panelValidators.get(type)!;
}

// The committed files are generated from the default registry with default settings, whatever this machine's .env says.
const config = loadConfig({});
const dashboards = config.clients.map((client) => buildClientDashboard(client, config.grafana.datasourceUid));

describe('generated Grafana dashboards', () => {
  it.each(dashboards.map((d) => [d.uid, d]))('%s validates against the classic dashboard schema', (_uid, dashboard) => {
    const valid = validateDashboard(dashboard);
    expect(validateDashboard.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each(dashboards.flatMap((d) => d.panels.map((p) => [`${d.uid} / ${p.title}`, p] as const)))(
    '%s has options and field config its panel schema accepts',
    (_name, panel) => {
      const { options, custom } = validatorsFor(panel.type);
      expect(options(panel.options) ? [] : options.errors).toEqual([]);
      const fieldCustom = (panel.fieldConfig.defaults as { custom?: unknown }).custom;
      if (fieldCustom !== undefined && custom) expect(custom(fieldCustom) ? [] : custom.errors).toEqual([]);
    },
  );

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
    const sources = new Set(dashboards.flatMap((d) => d.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)])));
    expect([...new Set([...sources].map((s) => JSON.stringify(s)))]).toEqual([JSON.stringify({ type: DATASOURCE_TYPE, uid: 'chatbot-analytics-pg' })]);
  });

  it("buckets in the client's own time zone and never with $__timeGroup", () => {
    for (const dashboard of dashboards) {
      expect(dashboard.timezone).toBe(config.clients.find((c) => `chatbot-${c.id}` === dashboard.uid)!.timezone);
      for (const panel of dashboard.panels) {
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
