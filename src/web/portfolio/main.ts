import '../app/styles.css';
import './portfolio.css';
import { h } from '../app/dom.ts';
import { COLUMNS, hasProblem, type Row } from './columns.ts';
import { rowOf } from './rows.ts';

/** The overview: figures from `/api/portfolio`, sorted and filtered here; the period, sort and filters live in the URL. */
const PERIODS = [['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['90d', 'Last 90 days']] as const;
const params = new URLSearchParams(window.location.search);
const state = {
  range: PERIODS.some(([id]) => id === params.get('range')) ? params.get('range')! : '7d',
  sort: COLUMNS.some((c) => c.key === params.get('sort')) ? params.get('sort')! : 'name',
  descending: params.get('dir') === 'desc',
  query: params.get('q') ?? '',
  problemsOnly: params.get('problems') === '1',
  rows: [] as Row[],
};

const table = document.querySelector<HTMLTableElement>('table.portfolio')!;
const status = document.getElementById('portfolio-status')!;
// The server's row headers (links to each dashboard) are kept and reused.
const links = new Map([...table.tBodies[0]!.querySelectorAll<HTMLTableRowElement>('tr[data-client]')].map((tr) => [tr.dataset.client!, tr.cells[0] as HTMLTableCellElement]));

const search = h('input', { type: 'search', id: 'portfolio-search', value: state.query, autocomplete: 'off' });
const problems = h('input', { type: 'checkbox', id: 'portfolio-problems', checked: state.problemsOnly });
const period = h('select', { id: 'portfolio-period' }, ...PERIODS.map(([id, label]) => h('option', { value: id, selected: id === state.range }, label)));
document.getElementById('portfolio-controls')!.replaceChildren(h('div', { class: 'controls' },
  h('label', { for: 'portfolio-period' }, 'Period'), period,
  h('label', { for: 'portfolio-search' }, 'Search clients'), search,
  h('span', { class: 'check' }, problems, h('label', { for: 'portfolio-problems' }, 'Only with problems')),
));

function remember(): void {
  const next = new URLSearchParams();
  if (state.range !== '7d') next.set('range', state.range);
  if (state.sort !== 'name') next.set('sort', state.sort);
  if (state.descending) next.set('dir', 'desc');
  if (state.query) next.set('q', state.query);
  if (state.problemsOnly) next.set('problems', '1');
  history.replaceState(null, '', `${window.location.pathname}${next.size ? `?${next}` : ''}`);
}

function renderHead(): void {
  table.tHead!.replaceChildren(h('tr', {}, ...COLUMNS.map((column) => {
    const sorted = state.sort === column.key;
    const button = h('button', { type: 'button', class: 'sort', 'data-key': column.key }, column.label);
    button.addEventListener('click', () => {
      state.descending = sorted ? !state.descending : column.key !== 'name';
      state.sort = column.key;
      render();
      // The header is drawn again: keep the keyboard where it was.
      table.tHead!.querySelector<HTMLButtonElement>(`button[data-key="${column.key}"]`)!.focus();
    });
    return h('th', { scope: 'col', 'aria-sort': sorted ? (state.descending ? 'descending' : 'ascending') : 'none' }, button);
  })));
}

function render(): void {
  remember();
  renderHead();
  const column = COLUMNS.find((c) => c.key === state.sort)!;
  const needle = state.query.trim().toLocaleLowerCase();
  const shown = state.rows
    .filter((row) => !needle || row.name.toLocaleLowerCase().includes(needle) || row.clientId.toLocaleLowerCase().includes(needle))
    .filter((row) => !state.problemsOnly || hasProblem(row))
    .sort((a, b) => {
      const [x, y] = [column.sortValue(a), column.sortValue(b)];
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // no value: last either way
      const order = x < y ? -1 : x > y ? 1 : 0;
      return (state.descending ? -order : order) || a.name.localeCompare(b.name);
    });
  table.tBodies[0]!.replaceChildren(...shown.map((row) => rowOf(row, links.get(row.clientId))));
  const flagged = state.rows.filter(hasProblem).length;
  status.textContent = `${shown.length} of ${state.rows.length} clients shown · ${flagged} with problems`;
}

async function load(): Promise<void> {
  status.textContent = 'Loading…';
  table.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(`/api/portfolio?range=${encodeURIComponent(state.range)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (response.status === 401) return void (status.textContent = 'Your session has ended: sign in again.');
    if (!response.ok) return void (status.textContent = `The overview could not be loaded (${response.status}).`);
    state.rows = ((await response.json()) as { clients: Row[] }).clients;
    render();
  } catch {
    status.textContent = 'The server cannot be reached; the figures will show when it is back.';
  } finally {
    table.removeAttribute('aria-busy');
  }
}

search.addEventListener('input', () => { state.query = search.value; render(); });
problems.addEventListener('change', () => { state.problemsOnly = problems.checked; render(); });
period.addEventListener('change', () => { state.range = period.value; void load(); });
renderHead();
void load();
