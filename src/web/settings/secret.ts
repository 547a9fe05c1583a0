import { h } from '../app/dom.ts';

/**
 * A secret shown this once (a token, an invitation or reset link): read-only, with a copy button and a plain
 * warning; "Done" removes it from the page.
 */
export function shownOnce(title: string, value: string, note: string): HTMLElement {
  const field = h('input', { type: 'text', class: 'secret-value', readonly: true, value, 'aria-label': title, spellcheck: 'false', autocomplete: 'off' });
  const copied = h('span', { class: 'copied', role: 'status' });
  const copy = h('button', { type: 'button' }, 'Copy');
  const done = h('button', { type: 'button' }, 'Done');
  const box = h('section', { class: 'secret', 'aria-label': title },
    h('h3', {}, title),
    h('p', { class: 'warning' }, note),
    h('div', { class: 'secret-row' }, field, copy, done, copied),
  );
  copy.addEventListener('click', () => {
    void copyText(field).then((ok) => {
      copied.textContent = ok ? 'Copied' : 'Select it and press Ctrl+C (⌘C) to copy';
    });
  });
  done.addEventListener('click', () => box.remove());
  field.addEventListener('focus', () => field.select());
  return box;
}

async function copyText(field: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(field.value);
    return true;
  } catch {
    field.focus();
    field.select();
    return false;
  }
}
