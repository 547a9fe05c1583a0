import { h } from '../../app/dom.ts';
import { call, type Me, type Person } from '../api.ts';
import type { StatusLine } from '../notice.ts';
import { shownOnce } from '../secret.ts';
import { confirmed } from './page.ts';

export interface PersonActionContext {
  me: Me;
  status: StatusLine;
  secretSlot: HTMLElement;
  /** After a change: list again. */
  changed: () => void;
}

const path = (person: Person, rest = '') => `/api/users/${encodeURIComponent(person.id)}${rest}`;

/** A button that does one thing to a person and says how it went; `ask` confirms first. */
function action(label: string, person: Person, context: PersonActionContext, doing: string, run: () => Promise<string | Node>, ask?: string): HTMLButtonElement {
  const button = h('button', { type: 'button', 'aria-label': `${label} ${person.email}` }, label);
  button.addEventListener('click', () => {
    if (ask && !confirmed(ask)) return;
    button.disabled = true;
    run().then(
      (said) => {
        context.status.ok(said);
        context.changed();
      },
      (error: unknown) => context.status.failed(error, doing),
    ).finally(() => {
      button.disabled = false;
    });
  });
  return button;
}

/** What an admin (or an operator, for a member) can do to a person: disable, sign out, reset link, remove. */
export function personActions(person: Person, context: PersonActionContext): HTMLButtonElement[] {
  const { email } = person;
  return [
    action(person.disabled ? 'Enable' : 'Disable', person, context, person.disabled ? 'enable this person' : 'disable this person', async () => {
      await call('PATCH', path(person), { disabled: !person.disabled });
      return person.disabled ? `${email} can sign in again.` : `${email} is disabled: their sessions and tokens stopped working.`;
    }, person.disabled ? undefined : `Disable ${email}? Their sessions end and their tokens stop working until they are enabled again.`),
    action('Sign out everywhere', person, context, 'sign this person out', async () => {
      const { ended } = await call<{ ended: number }>('POST', path(person, '/sign-out-everywhere'));
      return `${email} is signed out everywhere (${ended} ${ended === 1 ? 'session' : 'sessions'} ended).`;
    }),
    action('Create reset link', person, context, 'create a reset link', async () => {
      const reset = await call<{ link: string; expiresAt: string; emailed: boolean }>('POST', path(person, '/password-reset'));
      context.secretSlot.replaceChildren(shownOnce(`Password reset link for ${email}`, reset.link,
        `It works once, for 48 hours, and you will not see it again here. ${reset.emailed ? `It was emailed to ${email} too.` : 'It was not emailed: send it to them yourself.'}`));
      return `A reset link for ${email} is below.`;
    }),
    action('Remove', person, context, 'remove this person', async () => {
      await call('DELETE', path(person));
      return `${email} is removed: their sessions and personal tokens ended.`;
    }, `Remove ${email}? Their account, sessions and personal tokens are deleted. This cannot be undone.`),
  ];
}
