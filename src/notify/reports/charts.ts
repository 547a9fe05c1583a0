import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as ECharts from 'echarts';
import type * as ResvgJs from '@resvg/resvg-js';

/**
 * Loaded on the first chart, not at start: ECharts alone costs a process ~90 MiB and ~0.6 s to load (measured with
 * `import('echarts')` on Node 24), and only the process that renders a report ever draws one.
 */
const load = createRequire(import.meta.url);
let libraries: { echarts: typeof ECharts; Resvg: typeof ResvgJs.Resvg } | undefined;
const chartLibraries = () => (libraries ??= { echarts: load('echarts'), Resvg: (load('@resvg/resvg-js') as typeof ResvgJs).Resvg });

/**
 * Charts as PNG without a browser: ECharts renders SVG on the server, resvg rasterises it. The font ships with the
 * repository (assets/fonts, DejaVu Sans, its licence beside it) and system fonts are never read, so the text looks
 * the same on every machine — and is there at all on a slim container without fonts.
 */
export const FONT_FILE = fileURLToPath(new URL('../../../assets/fonts/DejaVuSans.ttf', import.meta.url));
const FONT_FAMILY = 'DejaVu Sans';
/** Rendered at twice the size they are shown, for sharp text on high-density screens. */
const SCALE = 2;

export interface Chart {
  /** Content id (`cid:`) and file name stem. */
  id: string;
  title: string;
  png: Buffer;
  width: number;
  height: number;
}

export function renderChart(option: ECharts.EChartsCoreOption, width: number, height: number): Buffer {
  const { echarts, Resvg } = chartLibraries();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, backgroundColor: '#ffffff', textStyle: { fontFamily: FONT_FAMILY }, ...option });
    const svg = chart.renderToSVGString();
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'width', value: width * SCALE },
      font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    });
    return resvg.render().asPng();
  } finally {
    chart.dispose();
  }
}

const AXIS = { axisLabel: { color: '#475569', fontSize: 11 }, axisLine: { lineStyle: { color: '#cbd5e1' } } };

/** Sessions per local day, this period as bars in the client's colour, the previous one as a grey line. */
export function dailyChart(labels: string[], current: number[], previous: number[], color: string): Chart {
  const width = 560;
  const height = 240;
  const png = renderChart({
    grid: { left: 44, right: 16, top: 36, bottom: 28 },
    legend: { top: 4, right: 8, textStyle: { fontSize: 11, color: '#334155' } },
    xAxis: { type: 'category', data: labels, ...AXIS },
    yAxis: { type: 'value', minInterval: 1, ...AXIS, splitLine: { lineStyle: { color: '#e2e8f0' } } },
    series: [
      { name: 'This period', type: 'bar', data: current, itemStyle: { color }, barMaxWidth: 28 },
      { name: 'Previous period', type: 'line', data: previous, itemStyle: { color: '#94a3b8' }, lineStyle: { color: '#94a3b8', type: 'dashed' }, symbol: 'none' },
    ],
  }, width, height);
  return { id: 'daily-sessions', title: 'Sessions per day', png, width, height };
}

/** The funnel as horizontal bars: sessions, page loaded, widget opened, asked for a human, accepted. */
export function funnelChart(steps: { label: string; count: number }[], color: string): Chart {
  const width = 560;
  const height = 40 + steps.length * 34;
  const png = renderChart({
    grid: { left: 130, right: 56, top: 8, bottom: 8 },
    xAxis: { type: 'value', show: false },
    yAxis: { type: 'category', inverse: true, data: steps.map((s) => s.label), ...AXIS, axisTick: { show: false } },
    series: [{
      type: 'bar', data: steps.map((s) => s.count), itemStyle: { color }, barMaxWidth: 22,
      label: { show: true, position: 'right', color: '#0f172a', fontSize: 12 },
    }],
  }, width, height);
  return { id: 'funnel', title: 'Funnel', png, width, height };
}
