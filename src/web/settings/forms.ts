import { h } from '../app/dom.ts';
import { ApiFailure } from './api.ts';
import { failureNotice } from './notice.ts';

let lastId = 0;
const nextId = () => `field-${++lastId}`;

type Attributes = Record<string, string | number | boolean | null | undefined>;

/** A label and its control, tied by ids, with an optional hint under it (read out with the control). */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  control.id ||= nextId();
  const hintElement = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintElement);
}

export const input = (name: string, attributes: Attributes = {}) => h('input', { name, type: 'text', ...attributes });

export function select(name: string, options: readonly (readonly [value: string, label: string])[], selected?: string): HTMLSelectElement {
  const element = h('select', { name });
  for (const [value, label] of options) element.append(h('option', { value, selected: value === selected }, label));
  return element;
}

/** A checkbox with its label after it. */
export function checkbox(name: string, label: string, checked = false, attributes: Attributes = {}): { element: HTMLElement; box: HTMLInputElement } {
  const box = h('input', { type: 'checkbox', name, id: nextId(), checked, ...attributes });
  return { element: h('div', { class: 'check' }, box, h('label', { for: box.id }, label)), box };
}

export const actions = (...buttons: HTMLElement[]) => h('div', { class: 'form-actions' }, ...buttons);

/** The field a 400 names (`"password: is too short"` → `password`), if the form has one by that name. */
function namedField(form: HTMLFormElement, error: unknown): HTMLElement | null {
  if (!(error instanceof ApiFailure) || error.status !== 400) return null;
  const name = /^([A-Za-z][\w.]*):/.exec(error.message)?.[1];
  return name ? form.querySelector<HTMLElement>(`[name="${name}"]`) : null;
}

/**
 * Runs what a form does: its buttons wait meanwhile, and a failure is shown in the form, with the field a 400
 * names marked invalid and pointed at the message.
 */
export class FormRunner {
  private readonly errorBox: HTMLElement;

  constructor(readonly form: HTMLFormElement, private readonly doing: string) {
    this.errorBox = h('div', { class: 'form-error', id: nextId() });
    form.append(this.errorBox);
  }

  /** `submit` handles the form's submit event. */
  onSubmit(submit: () => Promise<void>): this {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run(submit);
    });
    return this;
  }

  async run(action: () => Promise<void>, doing = this.doing): Promise<void> {
    const buttons = [...this.form.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    this.form.setAttribute('aria-busy', 'true');
    this.clear();
    try {
      await action();
    } catch (error) {
      this.errorBox.replaceChildren(failureNotice(error, doing));
      const named = namedField(this.form, error);
      named?.setAttribute('aria-invalid', 'true');
      named?.setAttribute('aria-errormessage', this.errorBox.id);
      named?.focus();
    } finally {
      for (const button of buttons) button.disabled = false;
      this.form.removeAttribute('aria-busy');
    }
  }

  clear(): void {
    this.errorBox.replaceChildren();
    for (const marked of this.form.querySelectorAll('[aria-invalid]')) {
      marked.removeAttribute('aria-invalid');
      marked.removeAttribute('aria-errormessage');
    }
  }
}

/** The trimmed value of a named control of `form` ('' when it has none). */
export function valueOf(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  return control && 'value' in control ? String(control.value).trim() : '';
}
