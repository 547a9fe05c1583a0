import type { Answers } from './api.ts';
import type { Chart, ChartOption } from './chart.ts';
import { formatCount, formatDate } from './format.ts';
import { hourLabel, WEEKDAYS } from './labels.ts';
import type { Panel } from './panel.ts';
import { tint } from './color.ts';
import type { Counter } from '../../analytics/steps.ts';

/** Chart colours next to the client's: the brand colour is already darkened to read on white. */
export interface Palette {
  brand: string;
}
const GREY = '#57606a';
const PURPLE = '#8250df';
const axisText = { color: GREY };
const grid = { left: 8, right: 16, top: 40, bottom: 8, containLabel: true };
const shortDate = (date: string) => formatDate(date).replace(/ \d{4}$/, '');

export function renderDaily(panel: Panel, chart: Chart, daily: Answers['daily'], palette: Palette, csv: string): void {
  const total = daily.days.reduce((sum, d) => sum + d.sessions, 0);
  if (total === 0) return panel.empty('No sessions in this range.', csv);
  panel.ready(csv);
  const line = (name: string, key: 'sessions' | Counter, color: string, area = false) => ({
    type: 'line' as const, name, color, showSymbol: daily.days.length <= 31, data: daily.days.map((d) => d[key]),
    ...(area ? { areaStyle: { color: tint(color, 0.85) } } : {}),
  });
  const busiest = daily.days.reduce((best, d) => (d.sessions > best.sessions ? d : best));
  chart.show({
    grid, tooltip: { trigger: 'axis' }, legend: { top: 0, textStyle: axisText },
    xAxis: { type: 'category', data: daily.days.map((d) => shortDate(d.date)), axisLabel: axisText },
    yAxis: { type: 'value', minInterval: 1, axisLabel: axisText },
    series: [line('Sessions', 'sessions', palette.brand, true), line('Widget opens', 'widgetOpened', GREY), line('Human requests', 'requestedHuman', PURPLE)],
  } as ChartOption, `Sessions per day, ${formatCount(total)} in all; the busiest day was ${formatDate(busiest.date)} with ${formatCount(busiest.sessions)}.`);
}

export function renderHourly(panel: Panel, chart: Chart, hourly: Answers['hourly'], palette: Palette, csv: string): void {
  if (hourly.peakHour === null || hourly.hours.every((h) => h.sessions === 0)) return panel.empty('No sessions in this range.', csv);
  panel.ready(csv, `Busiest hour: ${hourLabel(hourly.peakHour)}–${hourLabel((hourly.peakHour + 1) % 24)} (${hourly.timezone}).`);
  chart.show({
    grid: { ...grid, top: 16 }, tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: hourly.hours.map((h) => String(h.hour).padStart(2, '0')), axisLabel: axisText },
    yAxis: { type: 'value', minInterval: 1, axisLabel: axisText },
    series: [{ type: 'bar', name: 'Sessions', data: hourly.hours.map((h) => ({ value: h.sessions, itemStyle: { color: h.hour === hourly.peakHour ? palette.brand : tint(palette.brand, 0.35) } })) }],
  } as ChartOption, `Sessions by local hour of day; the busiest hour starts at ${hourLabel(hourly.peakHour)}.`);
}

export function renderHeatmap(panel: Panel, chart: Chart, heatmap: Answers['heatmap'], palette: Palette, csv: string): void {
  const max = Math.max(0, ...heatmap.cells.map((c) => c.sessions));
  if (max === 0) return panel.empty('No sessions in this range.', csv);
  panel.ready(csv);
  chart.show({
    grid: { ...grid, top: 8, bottom: 48 }, tooltip: { position: 'top' },
    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')), axisLabel: { ...axisText, interval: 2 }, splitArea: { show: true } },
    yAxis: { type: 'category', data: WEEKDAYS, inverse: true, axisLabel: axisText },
    visualMap: { min: 0, max, text: [formatCount(max), '0'], orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, textStyle: axisText, inRange: { color: [tint(palette.brand, 0.95), palette.brand] } },
    series: [{ type: 'heatmap', name: 'Sessions', data: heatmap.cells.map((c) => [c.hour, c.weekday - 1, c.sessions]) }],
  } as ChartOption, `Sessions by weekday and local hour; the busiest cell has ${formatCount(max)} sessions.`);
}

/** Leads per day under the summary; `available: false` (no Leads table) is "not available", not an error. */
export function renderLeadsChart(chart: Chart, days: { date: string; leads: number }[], palette: Palette): void {
  chart.show({
    grid: { ...grid, top: 16 }, tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: days.map((d) => shortDate(d.date)), axisLabel: axisText },
    yAxis: { type: 'value', minInterval: 1, axisLabel: axisText },
    series: [{ type: 'bar', name: 'Leads', color: palette.brand, data: days.map((d) => d.leads) }],
  } as ChartOption, `Leads per day, ${formatCount(days.reduce((s, d) => s + d.leads, 0))} in all.`);
}
