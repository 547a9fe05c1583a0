import './styles.css';
import { BOOT_ELEMENT_ID, type DashboardBoot } from '../../http/pages/boot.ts';
import { ApiFailure, csvUrl, fetchAnswer, type Endpoint } from './api.ts';
import { Chart } from './chart.ts';
import { readableOnWhite, textOn } from './color.ts';
import { h } from './dom.ts';
import { renderConversations } from './conversations.ts';
import { renderFunnel } from './funnel.ts';
import { renderHandoffs } from './handoffs.ts';
import { renderHeader } from './header.ts';
import { renderLeads } from './leads.ts';
import { renderLeadSources } from './leadSources.ts';
import { Panel } from './panel.ts';
import { dayCount, rangeFromSearch, searchOf, type DayRange } from './range.ts';
import { RangeControls } from './rangeControls.ts';
import { renderDaily, renderHeatmap, renderHourly } from './series.ts';
import { SessionDialog } from './sessionDetail.ts';
import { SessionsTable } from './sessions.ts';
import { renderTiles } from './tiles.ts';
import { renderTimeToConvert } from './timeToConvert.ts';

const boot = JSON.parse(document.getElementById(BOOT_ELEMENT_ID)!.textContent!) as DashboardBoot;
const { client } = boot;
const palette = { brand: readableOnWhite(client.branding.primaryColor) };
const root = document.documentElement.style;
root.setProperty('--brand', client.branding.primaryColor);
root.setProperty('--on-brand', textOn(client.branding.primaryColor));
root.setProperty('--brand-text', palette.brand);

const panels = {
  tiles: new Panel('tiles', 'Key metrics', { wide: true }),
  daily: new Panel('daily', 'Daily', { wide: true }),
  funnel: new Panel('funnel', 'Funnel'),
  leads: new Panel('leads', 'Leads'),
  hourly: new Panel('hourly', 'Hour of day'),
  heatmap: new Panel('heatmap', 'Weekday × hour'),
  handoffs: new Panel('handoffs', 'Handoffs', { wide: true }),
  timeToConvert: new Panel('time-to-convert', 'Time to convert', { wide: true }),
  conversations: new Panel('conversations', 'Conversations'),
  leadSources: new Panel('lead-sources', 'Lead sources'),
  sessions: new Panel('sessions', 'Sessions', { wide: true }),
};
const charts = {
  daily: new Chart('daily'), hourly: new Chart('hourly'), heatmap: new Chart('heatmap'), leads: new Chart('leads'), staffing: new Chart('staffing'),
};
panels.daily.body.append(charts.daily.element);
panels.hourly.body.append(charts.hourly.element);
panels.heatmap.body.append(charts.heatmap.element);
const dialog = new SessionDialog(client.id);
const sessions = new SessionsTable(panels.sessions, client.id, client.timezone, dialog);
const banner = h('div', { class: 'banner', role: 'alert', hidden: true });
const controls = new RangeControls(boot.defaultRange.to, (range) => {
  history.pushState(null, '', searchOf(range));
  load(range, null);
});

document.getElementById('site-header')!.replaceChildren(renderHeader(boot));
document.getElementById('dashboard')!.replaceChildren(
  controls.element,
  banner,
  h('div', { class: 'panels' }, ...Object.values(panels).map((p) => p.element)),
  dialog.element,
);

const reported = new Set<string>();

/** Failures of the current load, once each, above the panels (each panel says it too). */
function report(error: unknown): void {
  if (!(error instanceof ApiFailure) || reported.has(error.message)) return;
  reported.add(error.message);
  const signIn = error.status === 401 ? h('a', { href: `/login?next=${encodeURIComponent(location.pathname + location.search)}` }, 'Sign in') : null;
  banner.append(h('p', {}, error.message, signIn ? ' ' : '', signIn));
  banner.hidden = false;
}

let controller = new AbortController();

function load(range: DayRange, problem: string | null): void {
  controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  controls.show(range, problem);
  document.title = `${client.name} · ${range.from} – ${range.to} · Chatbot Analytics`;
  banner.replaceChildren();
  banner.hidden = true;
  reported.clear();
  for (const panel of Object.values(panels)) panel.loading();

  const params = { from: range.from, to: range.to };
  const get = <E extends Endpoint>(endpoint: E, extra: Record<string, string> = {}) => fetchAnswer(client.id, endpoint, { ...params, ...extra }, signal);
  const csv = (endpoint: Endpoint) => csvUrl(client.id, endpoint, params);
  /** Renders an answer into its panel unless a newer range has been picked meanwhile. */
  const settle = <T>(answer: Promise<T>, panel: Panel, render: (value: T) => void) =>
    answer.then(
      (value) => signal.aborted || render(value),
      (error: unknown) => {
        if (signal.aborted) return;
        panel.failed(error);
        report(error);
      },
    );

  // Key metrics and leads come with the API's own comparison: the same number of days just before.
  const compare = { compare: 'previous' };
  const leads = get('leads', compare);
  settle(get('funnel'), panels.funnel, (f) => renderFunnel(panels.funnel, f, csv('funnel')));
  settle(get('daily'), panels.daily, (d) => renderDaily(panels.daily, charts.daily, d, palette, csv('daily')));
  settle(get('hourly'), panels.hourly, (x) => renderHourly(panels.hourly, charts.hourly, x, palette, csv('hourly')));
  settle(get('heatmap'), panels.heatmap, (x) => renderHeatmap(panels.heatmap, charts.heatmap, x, palette, csv('heatmap')));
  settle(leads, panels.leads, (l) => renderLeads(panels.leads, charts.leads, l, palette, csv('leads')));
  settle(get('handoffs'), panels.handoffs, (x) => renderHandoffs(panels.handoffs, charts.staffing, x, palette, csv('handoffs')));
  settle(get('time-to-convert'), panels.timeToConvert, (x) => renderTimeToConvert(panels.timeToConvert, x, csv('time-to-convert')));
  settle(get('conversations'), panels.conversations, (x) => renderConversations(panels.conversations, x, csv('conversations')));
  settle(get('lead-sources'), panels.leadSources, (x) => renderLeadSources(panels.leadSources, x, csv('lead-sources')));
  const days = dayCount(range);
  const previousLabel = days === 1 ? 'the day before' : `the previous ${days} days`;
  // Without the leads answer the tiles still show the rest.
  settle(Promise.all([get('metrics', compare), leads.catch(() => null)]), panels.tiles, ([metrics, currentLeads]) =>
    renderTiles(panels.tiles, metrics, currentLeads, previousLabel, csv('metrics')),
  );
  void sessions.show(range);
}

function loadFromAddress(): void {
  const { range, problem } = rangeFromSearch(location.search, boot.defaultRange);
  load(range, problem);
}

window.addEventListener('popstate', loadFromAddress);
loadFromAddress();
