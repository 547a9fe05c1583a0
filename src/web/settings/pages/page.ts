import { h } from '../../app/dom.ts';
import type { Me } from '../api.ts';
import { failureNotice } from '../notice.ts';

/** What every settings page starts from: who is asking (`GET /api/me`) and whether the data is the demo's. */
export interface PageContext {
  me: Me;
  demo: boolean;
}

/**
 * Content filled from the API: `data-state` says loading, ready or error (tests wait for it), and a failure (401,
 * 403, unreachable) is said in place of the content.
 */
export class Loaded {
  readonly element: HTMLElement;

  constructor(attributes: Record<string, string> = {}) {
    this.element = h('div', { class: 'loaded', 'data-state': 'ready', ...attributes });
  }

  async fill(doing: string, load: () => Promise<(Node | string)[]>): Promise<void> {
    this.element.dataset.state = 'loading';
    this.element.setAttribute('aria-busy', 'true');
    try {
      this.element.replaceChildren(...(await load()));
      this.element.dataset.state = 'ready';
    } catch (error) {
      this.element.replaceChildren(failureNotice(error, doing));
      this.element.dataset.state = 'error';
    } finally {
      this.element.removeAttribute('aria-busy');
    }
  }
}

/** A part of a page: a heading, an optional introduction, and its content. */
export class Section {
  readonly element: HTMLElement;
  private readonly content = new Loaded();
  readonly body = this.content.element;

  constructor(id: string, title: string, ...intro: (Node | string | null)[]) {
    this.element = h('section', { class: 'panel settings-section', id, 'aria-labelledby': `${id}-title` },
      h('h3', { id: `${id}-title` }, title),
      ...intro,
      this.body,
    );
  }

  fill(doing: string, load: () => Promise<(Node | string)[]>): Promise<void> {
    return this.content.fill(doing, load);
  }
}

/** A note where the page cannot offer something, saying why. */
export const why = (...text: (Node | string)[]) => h('p', { class: 'notice info' }, ...text);

/** Asks before something that cannot be undone. */
export const confirmed = (question: string) => window.confirm(question);
