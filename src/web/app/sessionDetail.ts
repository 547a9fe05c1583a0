import { ApiFailure, fetchSessionDetail, sessionUrl } from './api.ts';
import { h } from './dom.ts';
import { sessionParts } from './sessionParts.ts';

type State = 'loading' | 'ready' | 'error';

/**
 * One session in a modal dialog: its funnel timeline, chat transcript, leads and agent connections from
 * `/api/{clientId}/sessions/{sessionId}`. Escape, the Close button or a click outside closes it, and the focus goes
 * back to the button that opened it.
 */
export class SessionDialog {
  readonly element: HTMLDialogElement;
  private readonly title = h('h2', { id: 'session-title' });
  private readonly status = h('p', { class: 'panel-status', role: 'status' });
  private readonly body = h('div', { class: 'dialog-body' });
  private readonly csvLink = h('a', { class: 'csv button', download: true, 'aria-describedby': 'session-title' }, 'Download CSV');
  private readonly close = h('button', { type: 'button', class: 'close' }, 'Close');
  private controller = new AbortController();
  private opener: HTMLElement | null = null;

  constructor(private readonly clientId: string) {
    this.element = h(
      'dialog',
      { class: 'session-dialog', 'aria-labelledby': 'session-title' },
      h('div', { class: 'dialog-head' }, this.title, h('div', { class: 'dialog-actions' }, this.csvLink, this.close)),
      this.status,
      this.body,
    );
    this.close.addEventListener('click', () => this.element.close());
    // A click on the backdrop lands on the dialog element itself.
    this.element.addEventListener('click', (event) => {
      if (event.target === this.element) this.element.close();
    });
    this.element.addEventListener('close', () => {
      this.controller.abort();
      this.opener?.focus();
    });
  }

  /** Opens the dialog for `sessionId` (from the button `opener`) and loads the session. */
  async open(sessionId: string, opener: HTMLElement): Promise<void> {
    this.controller.abort();
    this.controller = new AbortController();
    const { signal } = this.controller;
    this.opener = opener;
    this.title.textContent = `Session ${sessionId}`;
    this.element.dataset.session = sessionId;
    this.set('loading', 'Loading…', null);
    if (!this.element.open) this.element.showModal();
    this.close.focus();
    try {
      const detail = await fetchSessionDetail(this.clientId, sessionId, signal);
      if (signal.aborted) return;
      this.body.replaceChildren(...sessionParts(detail));
      this.set('ready', '', detail.transcript.available ? sessionUrl(this.clientId, sessionId, { format: 'csv' }) : null);
    } catch (error) {
      if (signal.aborted) return;
      this.set('error', this.explain(error), null);
    }
  }

  private explain(error: unknown): string {
    if (!(error instanceof ApiFailure)) {
      console.error(error);
      return 'Something went wrong while showing this session.';
    }
    return error.status === 404 ? 'This session was not found in this client\u2019s data.' : error.message;
  }

  /** Like a panel: `data-state` for tests, a polite status line, the transcript as CSV when there is one. */
  private set(state: State, message: string, csv: string | null): void {
    this.element.dataset.state = state;
    this.element.setAttribute('aria-busy', String(state === 'loading'));
    this.status.textContent = message;
    this.status.hidden = message === '';
    this.body.hidden = state !== 'ready';
    if (csv) this.csvLink.href = csv;
    else this.csvLink.removeAttribute('href');
    this.csvLink.setAttribute('aria-disabled', String(csv === null));
  }
}
