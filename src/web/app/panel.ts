import { ApiFailure } from './api.ts';
import { h } from './dom.ts';

export type PanelState = 'loading' | 'ready' | 'empty' | 'unavailable' | 'error';

/**
 * One section of the dashboard: a title, a status line that says what is happening (announced politely to screen
 * readers), its content, and a link to the same data as CSV from the API (`format=csv`). `data-state` tells tests
 * when it has settled.
 */
export class Panel {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly csvLink: HTMLAnchorElement;

  constructor(readonly id: string, title: string, options: { wide?: boolean } = {}) {
    const heading = h('h2', { id: `${id}-title` }, title);
    this.csvLink = h('a', { class: 'csv button', download: true, 'aria-describedby': `${id}-title` }, 'Download CSV');
    this.status = h('p', { class: 'panel-status', role: 'status' });
    this.body = h('div', { class: 'panel-body' });
    this.element = h(
      'section',
      { class: `panel${options.wide ? ' wide' : ''}`, id, 'aria-labelledby': `${id}-title` },
      h('div', { class: 'panel-head' }, heading, this.csvLink),
      this.status,
      this.body,
    );
    this.loading();
  }

  private set(state: PanelState, message: string, csv: string | null): void {
    this.element.dataset.state = state;
    this.element.setAttribute('aria-busy', String(state === 'loading'));
    this.status.textContent = message;
    this.status.hidden = message === '';
    // Content stays in place (charts keep their instance) but only shows with data.
    this.body.hidden = state !== 'ready';
    // A link without href is not focusable: "disabled" until there is data to download.
    if (csv) this.csvLink.href = csv;
    else this.csvLink.removeAttribute('href');
    this.csvLink.setAttribute('aria-disabled', String(csv === null));
  }

  loading(): void {
    this.set('loading', 'Loading…', null);
  }

  /** `csv`: the API address of exactly the data shown. */
  ready(csv: string, message = ''): void {
    this.set('ready', message, csv);
  }

  /** Nothing happened in the range: not an error, and the (empty) rows can still be downloaded. */
  empty(message: string, csv: string | null = null): void {
    this.set('empty', message, csv);
  }

  unavailable(reason: string): void {
    this.set('unavailable', `Not available: ${reason}`, null);
  }

  failed(error: unknown): void {
    const message = error instanceof ApiFailure ? error.message : 'Something went wrong while showing this panel.';
    if (!(error instanceof ApiFailure)) console.error(error);
    this.set('error', message, null);
  }
}
