import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { formatDuration } from '../../../src/web/app/format.ts';

/**
 * What the time-to-convert, handoff, conversation and lead-source panels must show for an API answer: every number
 * the page prints, read from the page in one go and compared with the API's, formatted as the page formats them
 * (durations with the app's own formatter, which frontEndLogic.test.ts checks on its own).
 */
const percentFormat = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const decimalFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
export const percent = (value: number | null) => (value === null ? '—' : percentFormat.format(value));
export const count = (value: number | null) => (value === null ? '—' : value.toLocaleString('en-US'));
export const duration = formatDuration;

/** `{ key: text }` of a panel's facts (`<dl>` tiles with data-fact). */
const factsOf = (page: Page, scope: string) =>
  page.locator(`${scope} [data-fact]`).evaluateAll((items) =>
    Object.fromEntries(items.map((item) => [(item as HTMLElement).dataset.fact, item.querySelector('dd')!.textContent])));

export async function expectTimeToConvert(page: Page, api: any): Promise<void> {
  const rows = await page.locator('#time-to-convert [data-transition]').evaluateAll((cards) => cards.map((card) => {
    const field = (name: string) => card.querySelector(`[data-field="${name}"]`)!.textContent;
    const bins = [...card.querySelectorAll<HTMLElement>('.bin')].map((bin) => Number(bin.dataset.count));
    return { key: (card as HTMLElement).dataset.transition, count: field('count'), p50: field('p50'), p90: field('p90'), bins };
  }));
  expect(rows).toEqual(api.transitions.map((t: any) => ({
    key: t.key, count: count(t.count), p50: duration(t.p50Seconds), p90: duration(t.p90Seconds),
    bins: t.count === 0 ? [] : t.histogram.map((b: { count: number }) => b.count),
  })));
}

/** The expected screen-reader description of the staffing chart, worked out here from the API's cells. */
function staffingWords(cells: { weekday: number; hour: number; requested: number; answered: number }[]): string {
  const sum = (pick: (c: (typeof cells)[number]) => number) => cells.reduce((s, c) => s + pick(c), 0);
  const worst = [...cells].sort((a, b) => b.requested - b.answered - (a.requested - a.answered) || a.weekday - b.weekday || a.hour - b.hour)[0]!;
  const head = `Agent requests by weekday and local hour: ${count(sum((c) => c.requested))} requested, ${count(sum((c) => c.answered))} answered.`;
  if (worst.requested === worst.answered) return `${head} Every request was answered.`;
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][worst.weekday - 1];
  return `${head} Most unanswered: ${day} ${String(worst.hour).padStart(2, '0')}:00, ${count(worst.requested - worst.answered)} of ${count(worst.requested)}.`;
}

export async function expectHandoffs(page: Page, api: any): Promise<void> {
  expect(await page.locator('#handoffs [data-handoffs] strong').textContent()).toBe(count(api.handoffs));
  const outcomes = await page.locator('#handoffs [data-outcome]').evaluateAll((items) => items.map((li) => ({
    outcome: (li as HTMLElement).dataset.outcome, count: li.querySelector('.share-count')!.textContent, share: li.querySelector('.share-rate')!.textContent,
  })));
  expect(outcomes).toEqual(api.outcomes.map((o: any) => ({ outcome: o.outcome, count: count(o.count), share: `(${percent(o.share)})` })));
  const agent = api.agent;
  if (!agent.available) {
    expect(await page.locator('#handoffs [data-part="agent"] .part-status').textContent()).toBe(`Not available: ${agent.reason}`);
    return;
  }
  expect(await factsOf(page, '#handoffs')).toEqual({
    requested: count(agent.requested), connected: count(agent.connected),
    timeToAgentP50: duration(agent.timeToAgent.p50Seconds), timeToAgentP90: duration(agent.timeToAgent.p90Seconds),
    neverConnected: count(agent.neverConnected.count), neverConnectedShare: percent(agent.neverConnected.share),
  });
  if (agent.requested > 0) {
    // ECharts writes the description to the chart container's aria-label.
    expect(await page.locator('#handoffs .chart-staffing').getAttribute('aria-label')).toBe(staffingWords(agent.staffing));
  }
}

export async function expectConversations(page: Page, api: any): Promise<void> {
  if (!api.available) {
    expect(await page.locator('#conversations').getAttribute('data-state')).toBe('unavailable');
    expect(await page.locator('#conversations .panel-status').textContent()).toBe(`Not available: ${api.reason}`);
    return;
  }
  expect(await factsOf(page, '#conversations')).toEqual({
    conversations: count(api.conversations), conversationRate: percent(api.conversationRate), containmentRate: percent(api.containmentRate),
    messagesP50: decimalFormat.format(api.messagesPerConversation.p50), messages: count(api.messages),
    lengthP50: duration(api.conversationLength.p50Seconds),
  });
  const roles = await page.locator('#conversations [data-role]').evaluateAll((items) =>
    Object.fromEntries(items.map((li) => [(li as HTMLElement).dataset.role, li.querySelector('.share-count')!.textContent])));
  expect(roles).toEqual(Object.fromEntries(Object.entries(api.messagesByRole).map(([role, n]) => [role, count(n as number)])));
}

export async function expectLeadSources(page: Page, api: any): Promise<void> {
  if (!api.available) {
    expect(await page.locator('#lead-sources').getAttribute('data-state')).toBe('unavailable');
    expect(await page.locator('#lead-sources .panel-status').textContent()).toBe(`Not available: ${api.reason}`);
    return;
  }
  const rows = await page.locator('#lead-sources tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent)));
  expect(rows).toEqual(api.sources.map((s: any) => [
    s.source, count(s.leads), percent(s.share), percent(s.captureRate),
    s.requestedHuman === null ? '—' : `${count(s.requestedHuman)} (${percent(s.requestedHumanShare)})`,
  ]));
  expect(await page.locator('#lead-sources tfoot tr').evaluate((tr) => [...tr.children].map((c) => c.textContent)))
    .toEqual(['All sources', count(api.total), '', count(api.requestedHuman)]);
}

/** All four panels against the API for one client and range (`search`: `from=…&to=…`). */
export async function expectInsightPanels(page: Page, api: (path: string) => Promise<any>, clientId: string, search: string): Promise<void> {
  const [timeToConvert, handoffs, conversations, leadSources] = await Promise.all(
    ['time-to-convert', 'handoffs', 'conversations', 'lead-sources'].map((endpoint) => api(`/api/${clientId}/${endpoint}?${search}`)),
  );
  await expectTimeToConvert(page, timeToConvert);
  await expectHandoffs(page, handoffs);
  await expectConversations(page, conversations);
  await expectLeadSources(page, leadSources);
}
