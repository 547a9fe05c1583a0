import { csvUrl, fetchAnswer, type Answers } from './api.ts';
import { h } from './dom.ts';
import { formatDuration, formatInstant, NONE } from './format.ts';
import { ACTION_LABELS, labelOf, STEP_LABELS } from './labels.ts';
import type { Panel } from './panel.ts';
import type { DayRange } from './range.ts';
import type { SessionDialog } from './sessionDetail.ts';
import { ACTIONS } from '../../analytics/steps.ts';

type Session = Answers['sessions']['sessions'][number];
const PAGE_SIZE = 25;

/**
 * Sessions newest first, one page at a time with the API's keyset cursor. The cursors of the pages seen so far
 * are kept, so "Newer" goes back without the API needing a backwards cursor.
 */
export class SessionsTable {
  private cursors: (string | undefined)[] = [undefined];
  private page = 1;
  private range: DayRange | null = null;
  private controller = new AbortController();
  private readonly older = h('button', { type: 'button' }, 'Older →');
  private readonly newer = h('button', { type: 'button' }, '← Newer');
  private readonly pageInfo = h('span', { class: 'page-info', 'aria-live': 'polite' });

  constructor(
    private readonly panel: Panel,
    private readonly clientId: string,
    private readonly timezone: string,
    private readonly dialog: SessionDialog,
  ) {
    this.older.addEventListener('click', () => void this.load(this.page + 1, this.older));
    this.newer.addEventListener('click', () => void this.load(this.page - 1, this.newer));
  }

  /** Starts again on the first page of a new range. */
  show(range: DayRange): Promise<void> {
    this.range = range;
    this.cursors = [undefined];
    return this.load(1);
  }

  /** Loads page `page` (1-based; `cursors[page - 1]` is where it starts), then gives the focus back to `pressed`. */
  private async load(page: number, pressed?: HTMLButtonElement): Promise<void> {
    if (!this.range || page < 1) return;
    this.controller.abort();
    this.controller = new AbortController();
    this.panel.loading();
    const cursor = this.cursors[page - 1];
    try {
      const params: Record<string, string> = { ...this.range, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) };
      const answer = await fetchAnswer(this.clientId, 'sessions', params, this.controller.signal);
      this.cursors = this.cursors.slice(0, page);
      if (answer.nextCursor) this.cursors.push(answer.nextCursor);
      this.page = page;
      this.render(answer, page, csvUrl(this.clientId, 'sessions', params));
      // The pager was hidden while loading; a keyboard user keeps their place (the other button on the last page).
      if (pressed) (pressed.disabled ? (pressed === this.older ? this.newer : this.older) : pressed).focus();
    } catch (error) {
      if (!this.controller.signal.aborted) this.panel.failed(error);
    }
  }

  /** `csv`: this page of sessions as CSV from the API. */
  private render(answer: Answers['sessions'], page: number, csv: string): void {
    if (answer.sessions.length === 0 && page === 1) return this.panel.empty('No sessions in this range.', csv);
    const header = ['Session', 'Started', 'Furthest step', 'Chose', 'Duration'].map((t) => h('th', { scope: 'col' }, t));
    const rows = answer.sessions.map((s) =>
      h('tr', { 'data-session': s.sessionId }, h('td', {}, this.opener(s.sessionId)), ...this.cells(s).map((text) => h('td', {}, text))));
    const caption = `Sessions, newest first, page ${page}; each session's button opens its timeline and transcript`;
    const table = h('table', {}, h('caption', { class: 'visually-hidden' }, caption), h('thead', {}, h('tr', {}, ...header)), h('tbody', {}, ...rows));
    this.newer.disabled = page === 1;
    this.older.disabled = answer.nextCursor === null;
    this.pageInfo.textContent = `Page ${page}`;
    this.panel.body.replaceChildren(h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Sessions table' }, table), h('div', { class: 'pager' }, this.newer, this.pageInfo, this.older));
    this.panel.ready(csv, 'Choose a session to see its funnel timeline and chat transcript.');
  }

  /** The session id as a button: it opens the session's timeline and transcript. */
  private opener(sessionId: string): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'link-button', 'aria-haspopup': 'dialog', 'data-open-session': sessionId },
      h('span', { class: 'visually-hidden' }, 'Open session '), sessionId);
    button.addEventListener('click', () => void this.dialog.open(sessionId, button));
    return button;
  }

  private cells(s: Session): string[] {
    const chose = ACTIONS.filter((a) => s[a]).map((a) => labelOf(ACTION_LABELS, a));
    return [
      formatInstant(s.startedAt, this.timezone),
      s.reachedStep ? labelOf(STEP_LABELS, s.reachedStep) : 'None',
      chose.join(', ') || NONE,
      formatDuration(s.durationSeconds),
    ];
  }
}
