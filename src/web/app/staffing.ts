import type { Answers } from './api.ts';
import type { Chart, ChartOption } from './chart.ts';
import { tint } from './color.ts';
import { formatCount, formatPercent } from './format.ts';
import { hourLabel, WEEKDAYS } from './labels.ts';
import type { Palette } from './series.ts';

type Cell = Extract<Answers['handoffs']['agent'], { available: true }>['staffing'][number];

const GREY = '#57606a';
const axisText = { color: GREY };
const cellName = (c: Cell) => `${WEEKDAYS[c.weekday - 1]} ${hourLabel(c.hour)}`;

/** The cell with the most unanswered requests (ties: the earlier weekday, then hour), or null when none went unanswered. */
export function worstCell(cells: Cell[]): Cell | null {
  let worst: Cell | null = null;
  for (const c of cells) if (c.requested - c.answered > (worst ? worst.requested - worst.answered : 0)) worst = c;
  return worst;
}

/** What a screen reader hears for the staffing chart (the same numbers are in the CSV). */
export function describeStaffing(cells: Cell[]): string {
  const requested = cells.reduce((sum, c) => sum + c.requested, 0);
  const answered = cells.reduce((sum, c) => sum + c.answered, 0);
  const worst = worstCell(cells);
  const head = `Agent requests by weekday and local hour: ${formatCount(requested)} requested, ${formatCount(answered)} answered.`;
  if (!worst) return `${head} Every request was answered.`;
  return `${head} Most unanswered: ${cellName(worst)}, ${formatCount(worst.requested - worst.answered)} of ${formatCount(worst.requested)}.`;
}

/** Staffing view: unanswered requests (requested − answered) per weekday × local hour; the tooltip gives both counts. */
export function renderStaffing(chart: Chart, cells: Cell[], palette: Palette): void {
  const max = Math.max(1, ...cells.map((c) => c.requested - c.answered));
  chart.show({
    grid: { left: 8, right: 16, top: 8, bottom: 48, containLabel: true },
    tooltip: {
      position: 'top',
      formatter: (p: unknown) => {
        const c = (p as { data: { cell: Cell } }).data.cell;
        return `${cellName(c)}: ${formatCount(c.requested)} requested, ${formatCount(c.answered)} answered (${formatPercent(c.requested ? c.answered / c.requested : null)})`;
      },
    },
    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, '0')), axisLabel: { ...axisText, interval: 2 }, splitArea: { show: false } },
    yAxis: { type: 'category', data: WEEKDAYS, inverse: true, axisLabel: axisText },
    visualMap: {
      min: 0, max, text: [formatCount(max), '0'], orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, textStyle: axisText,
      inRange: { color: [tint(palette.brand, 0.85), palette.brand] },
    },
    series: [{
      type: 'heatmap', name: 'Unanswered requests',
      // A cell without requests stays blank; a pale one had requests, all answered.
      data: cells.map((c) => ({ value: [c.hour, c.weekday - 1, c.requested === 0 ? '-' : c.requested - c.answered], cell: c })),
    }],
  } as ChartOption, describeStaffing(cells));
}
