import { h } from '../app/dom.ts';
import { ApiFailure } from './api.ts';

/** Where to sign in again and come back to this very page. */
export const signInHref = () => `/login?next=${encodeURIComponent(location.pathname + location.search)}`;

/**
 * What a failed request means for the person looking: signed out (with the way back in), not allowed (with the API's
 * reason), unreachable, or the API's own message — a 400 names the field.
 */
export function failureNotice(error: unknown, doing: string): HTMLElement {
  const notice = h('div', { class: 'notice error', role: 'alert' });
  if (!(error instanceof ApiFailure)) {
    notice.append(`Something went wrong while trying to ${doing}. Reload the page to try again.`);
    return notice;
  }
  notice.dataset.status = String(error.status ?? 'network');
  if (error.status === 401) {
    notice.append('Your session has ended: ', h('a', { href: signInHref() }, 'sign in again'), ` to ${doing}.`);
  } else if (error.status === 403) {
    notice.append(`You may not ${doing}. ${sentence(error.message)}`);
  } else if (error.status === null) {
    notice.append(`Could not ${doing}: ${error.message}`);
  } else {
    notice.append(sentence(error.message));
  }
  return notice;
}

export const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** A line that says how something went (announced: a status, or an alert when it failed); each message replaces the last. */
export class StatusLine {
  readonly element = h('div', { class: 'status-line' });

  ok(...content: (Node | string)[]): void {
    this.element.replaceChildren(h('div', { class: 'notice ok', role: 'status' }, ...content));
  }

  failed(error: unknown, doing: string): void {
    this.element.replaceChildren(failureNotice(error, doing));
  }

  clear(): void {
    this.element.replaceChildren();
  }
}
