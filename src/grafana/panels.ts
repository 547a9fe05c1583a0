import type { PanelQuery } from './sqlText.ts';

/** Typed builders for the few classic-model panels we generate; options follow Grafana's panel schemas. */
export interface DataSourceRef {
  /** The clients' dashboards read PostgreSQL; the platform's own dashboard reads Prometheus. */
  type: 'grafana-postgresql-datasource' | 'prometheus';
  uid: string;
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Panel {
  id: number;
  type: 'bargauge' | 'stat' | 'timeseries' | 'barchart' | 'table';
  title: string;
  description: string;
  gridPos: GridPos;
  datasource: DataSourceRef;
  targets: Record<string, unknown>[];
  options: Record<string, unknown>;
  fieldConfig: { defaults: Record<string, unknown>; overrides: Record<string, unknown>[] };
}

/** A panel's query: SQL (`query`), or targets of another data source (`targets`, e.g. PromQL). */
type PanelBase = Pick<Panel, 'id' | 'title' | 'description' | 'gridPos'> & { datasource: DataSourceRef } &
  ({ query: PanelQuery } | { targets: Record<string, unknown>[] });

const legend = (showLegend: boolean) => ({ displayMode: 'list', placement: 'bottom', showLegend, calcs: [] });
const tooltip = { mode: 'multi', sort: 'none' };
const reduceLast = { values: false, calcs: ['lastNotNull'], fields: '' };
const thresholds = { mode: 'absolute', steps: [{ color: 'green', value: null }] };

/** Overrides are left out on purpose: Grafana's byName matcher takes a string, the schema wants an object. */
function panel(base: PanelBase, type: Panel['type'], options: Record<string, unknown>, defaults: Record<string, unknown> = {}): Panel {
  return {
    id: base.id,
    type,
    title: base.title,
    description: base.description,
    gridPos: base.gridPos,
    datasource: base.datasource,
    targets: 'targets' in base
      ? base.targets
      : [{ refId: 'A', datasource: base.datasource, editorMode: 'code', rawQuery: true, format: base.query.format, rawSql: base.query.rawSql }],
    options,
    fieldConfig: { defaults: { thresholds, color: { mode: 'palette-classic' }, ...defaults }, overrides: [] },
  };
}

export const barGauge = (base: PanelBase) =>
  panel(base, 'bargauge', {
    displayMode: 'gradient', valueMode: 'color', namePlacement: 'auto', showUnfilled: true, sizing: 'auto',
    minVizWidth: 8, minVizHeight: 16, maxVizHeight: 300, orientation: 'horizontal',
    legend: legend(false), reduceOptions: reduceLast,
  }, { unit: 'short', min: 0 });

export const stat = (base: PanelBase, unit: string) =>
  panel(base, 'stat', {
    graphMode: 'none', colorMode: 'none', justifyMode: 'auto', textMode: 'value_and_name', wideLayout: true,
    showPercentChange: false, percentChangeColorMode: 'standard', orientation: 'auto', reduceOptions: reduceLast,
  }, { unit, decimals: unit === 'percentunit' ? 1 : undefined });

export const timeSeries = (base: PanelBase) =>
  panel(base, 'timeseries', { legend: legend(true), tooltip }, {
    unit: 'short',
    min: 0,
    custom: { drawStyle: 'line', lineWidth: 2, fillOpacity: 10, showPoints: 'auto', spanNulls: false, insertNulls: false },
  });

export const barChart = (base: PanelBase, xField: string) =>
  panel(base, 'barchart', {
    xField, orientation: 'vertical', xTickLabelRotation: 0, xTickLabelMaxLength: 0, stacking: 'none', showValue: 'never',
    barWidth: 0.9, groupWidth: 0.8, legend: legend(true), tooltip, fullHighlight: false,
  }, { unit: 'short', min: 0, custom: { lineWidth: 1, fillOpacity: 80, gradientMode: 'none' } });

export const table = (base: PanelBase, cellType: 'auto' | 'color-background' = 'auto', extra: Record<string, unknown> = {}) =>
  panel(base, 'table', { frameIndex: 0, showHeader: true, cellHeight: 'sm' }, {
    // Auto cells need no cellOptions (and `{ type: 'auto' }` is ambiguous in the schema's oneOf).
    custom: { align: 'auto', inspect: false, ...(cellType === 'auto' ? {} : { cellOptions: { type: 'color-background', mode: 'gradient', applyToRow: false } }) },
    ...extra,
  });

/** In place of a panel the client's database cannot fill: what would enable it. Text panels run no query. */
export interface TextPanel {
  id: number;
  type: 'text';
  title: string;
  description: string;
  gridPos: GridPos;
  options: { mode: 'markdown'; content: string };
}

export type DashboardPanel = Panel | TextPanel;

export function text(base: Pick<Panel, 'id' | 'title' | 'description' | 'gridPos'>, markdown: string): TextPanel {
  return { ...base, type: 'text', options: { mode: 'markdown', content: markdown } };
}
