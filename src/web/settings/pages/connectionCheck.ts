import { h } from '../../app/dom.ts';
import type { ConnectionCheck } from '../api.ts';

/**
 * What "Test connection" found: reachable or not, whether `UserEvents` is usable, which optional tables are there,
 * and how each timestamp column is declared — before anything is saved.
 */
export function connectionReport(check: ConnectionCheck): HTMLElement {
  const tables = Object.entries(check.tables) as [string, boolean][];
  const types = Object.entries(check.timestampTypes);
  return h('section', { class: `connection-check notice ${check.ok ? 'ok' : 'error'}`, 'data-ok': String(check.ok), 'aria-label': 'Connection test', role: 'status' },
    h('p', { class: 'check-summary' }, check.ok
      ? `Connected: the database answered in ${check.latencyMs ?? '?'} ms (PostgreSQL ${check.serverVersion ?? '?'}), and UserEvents has every column the metrics need.`
      : check.latencyMs === null ? 'The database could not be used.' : `Connected (PostgreSQL ${check.serverVersion ?? '?'}), but the metrics cannot be read yet.`),
    check.problems.length ? h('ul', { class: 'problems' }, ...check.problems.map((problem) => h('li', {}, problem))) : null,
    check.latencyMs === null ? null : h('div', { class: 'check-details' },
      h('h4', {}, 'Tables'),
      h('ul', { class: 'tables-found' }, ...tables.map(([table, found]) =>
        h('li', { 'data-table': table, 'data-found': String(found) }, `${table}: ${found ? 'found' : 'not found'}${table === 'UserEvents' ? '' : ' (optional)'}`))),
      types.length ? h('h4', {}, 'Timestamp columns') : null,
      types.length ? h('table', { class: 'timestamp-types' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Type'))),
        h('tbody', {}, ...types.map(([column, type]) => h('tr', { 'data-column': column }, h('td', {}, column), h('td', {}, type === 'timestamptz' ? 'timestamptz (with time zone)' : 'timestamp (UTC, without time zone)')))),
      ) : null,
    ),
  );
}
