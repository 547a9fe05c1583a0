import { h } from './dom.ts';
import { formatCount, formatPercent } from './format.ts';

/** Small building blocks the panels share. */

/**
 * A labelled bar: label, count, the API's share of the whole (when it gives one) and the bar, hidden from screen
 * readers (the numbers say it). `width` is the bar's fraction when there is no share to show.
 */
export function shareRow(
  attributes: Record<string, string | number>,
  label: string,
  count: number,
  share: number | null,
  options: { note?: string; width?: number } = {},
): HTMLElement {
  const { note = '', width = share ?? 0 } = options;
  const rate = options.width === undefined ? [' ', h('span', { class: 'share-rate' }, `(${formatPercent(share)})`)] : [];
  return h(
    'li',
    { class: 'share-row', ...attributes, 'data-count': count, 'data-share': share ?? '' },
    h('span', { class: 'share-label' }, label),
    h('span', { class: 'share-value' }, h('strong', { class: 'share-count' }, formatCount(count)), ...rate),
    h('span', { class: 'share-bar', 'aria-hidden': 'true' }, h('span', { style: `width:${(width * 100).toFixed(2)}%` })),
    note ? h('span', { class: 'share-note' }, note) : null,
  );
}

/** Facts as `<dl>` tiles; `key` and the raw value go into data attributes. */
export function facts(items: [key: string, label: string, text: string, value: number | null][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...items.map(([key, label, text, value]) =>
    h('div', { 'data-fact': key, 'data-value': value ?? '' }, h('dt', {}, label), h('dd', {}, text))));
}
