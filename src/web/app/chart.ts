import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, type BarSeriesOption, type HeatmapSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent,
  type AriaComponentOption, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { h } from './dom.ts';

// Only what the dashboard draws is bundled (tree-shaken ECharts).
echarts.use([BarChart, LineChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, AriaComponent, SVGRenderer]);

export type ChartOption = echarts.ComposeOption<
  | BarSeriesOption | LineSeriesOption | HeatmapSeriesOption | GridComponentOption | TooltipComponentOption
  | LegendComponentOption | VisualMapComponentOption | AriaComponentOption
>;

let firstChartMarked = false;

/** A chart that is created on first use (when its panel is visible) and follows its container's size. */
export class Chart {
  readonly element: HTMLElement;
  private instance: echarts.ECharts | null = null;

  constructor(kind: string) {
    this.element = h('div', { class: `chart chart-${kind}` });
  }

  /** `description` is what a screen reader hears instead of the picture (ECharts writes it to aria-label). */
  show(option: ChartOption, description: string): void {
    if (!this.instance) {
      const instance = echarts.init(this.element, null, { renderer: 'svg' });
      new ResizeObserver(() => instance.resize()).observe(this.element);
      instance.on('finished', () => {
        if (firstChartMarked) return;
        firstChartMarked = true;
        performance.mark('dashboard:first-chart');
      });
      this.instance = instance;
    }
    this.instance.setOption({ animation: false, aria: { enabled: true, label: { description } }, ...option }, { notMerge: true });
  }
}
