import { h } from '../app/dom.ts';
import { COLUMNS, figureText, type Column, type Row } from './columns.ts';
import { sparkline } from './sparkline.ts';

const FLAGS = { silent: 'Silent', quiet: 'Quiet', 'no-history': 'New', ok: 'OK' } as const;

/** One client's row: its name links to its dashboard (a click anywhere on the row follows it). */
export function rowOf(row: Row, link: HTMLTableCellElement | undefined): HTMLTableRowElement {
  const name = link ?? h('th', { scope: 'row' }, h('a', { class: 'client-link', href: `/${encodeURIComponent(row.clientId)}/dashboard` }, row.name));
  const tr = h('tr', { 'data-client': row.clientId, 'data-state': row.state }, name);
  if (row.state === 'unavailable') {
    tr.append(h('td', { class: 'unavailable', colspan: COLUMNS.length - 2 }, h('span', { class: 'flag unavailable' }, 'No answer'), ` ${row.error.message}`), alertsCell(row));
  } else {
    tr.dataset.freshness = row.freshness.status;
    for (const column of COLUMNS.slice(1)) tr.append(cellOf(column, row));
  }
  tr.addEventListener('click', (event) => {
    if ((event.target as Element).closest('a, button')) return;
    window.location.assign(tr.querySelector<HTMLAnchorElement>('a.client-link')!.href);
  });
  return tr;
}

function cellOf(column: Column, row: Extract<Row, { state: 'ok' }>): HTMLTableCellElement {
  if (column.kpi) {
    const { value, change, direction } = figureText(column, row);
    return h('td', { class: 'figure', 'data-column': column.key }, h('span', { class: 'value' }, value), ' ', h('span', { class: `change ${direction}` }, change));
  }
  if (column.key === 'trend') return h('td', { 'data-column': 'trend' }, sparkline(row.trend));
  if (column.key === 'freshness') {
    const { status, summary } = row.freshness;
    return h('td', { 'data-column': 'freshness' }, h('span', { class: `flag ${status}` }, FLAGS[status]), ' ', h('span', { class: 'summary' }, summary));
  }
  return alertsCell(row);
}

function alertsCell(row: Row): HTMLTableCellElement {
  const cell = h('td', { 'data-column': 'alerts' });
  if (row.alerts === null) cell.append('unknown');
  else if (row.alerts.length === 0) cell.append('none');
  else cell.append(h('ul', { class: 'alerts' }, ...row.alerts.map((a) => h('li', { class: `alert ${a.state}` }, `${a.state === 'firing' ? 'Firing' : 'Pending'}: ${a.title}`))));
  return cell;
}
