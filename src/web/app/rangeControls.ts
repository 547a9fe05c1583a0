import { h } from './dom.ts';
import { formatDate } from './format.ts';
import { dayCount, PRESETS, presetOf, type DayRange } from './range.ts';

/** Presets and a custom from–to form; `onPick` receives every range the person chooses. */
export class RangeControls {
  readonly element: HTMLElement;
  private readonly buttons: HTMLButtonElement[];
  private readonly from = h('input', { type: 'date', id: 'range-from', name: 'from', required: true });
  private readonly to = h('input', { type: 'date', id: 'range-to', name: 'to', required: true });
  private readonly summary = h('p', { class: 'range-summary', id: 'range-summary', 'aria-live': 'polite' });
  private readonly problem = h('p', { class: 'range-problem', role: 'alert', hidden: true });

  constructor(private readonly today: string, onPick: (range: DayRange) => void) {
    this.buttons = PRESETS.map((preset) => {
      const button = h('button', { type: 'button', 'data-preset': preset.id, 'aria-pressed': 'false' }, preset.label);
      button.addEventListener('click', () => onPick(preset.range(today)));
      return button;
    });
    this.from.max = today;
    this.to.max = today;
    const form = h(
      'form',
      { class: 'custom-range', 'aria-label': 'Custom range' },
      h('label', { for: 'range-from' }, 'From'), this.from,
      h('label', { for: 'range-to' }, 'To'), this.to,
      h('button', { type: 'submit' }, 'Apply'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.from.value > this.to.value) return this.complain('The start date is after the end date.');
      onPick({ from: this.from.value, to: this.to.value });
    });
    this.element = h(
      'section',
      { class: 'range', 'aria-label': 'Date range' },
      h('div', { class: 'presets', role: 'group', 'aria-label': 'Preset ranges' }, ...this.buttons),
      form,
      this.summary,
      this.problem,
    );
  }

  /** Shows the range in force (and why the address was not followed, if it wasn't). */
  show(range: DayRange, problem: string | null = null): void {
    const preset = presetOf(range, this.today);
    for (const button of this.buttons) button.setAttribute('aria-pressed', String(button.dataset.preset === preset?.id));
    this.from.value = range.from;
    this.to.value = range.to;
    const days = dayCount(range);
    this.summary.textContent = `${formatDate(range.from)} – ${formatDate(range.to)} · ${days} ${days === 1 ? 'day' : 'days'}, compared with the ${days === 1 ? 'day' : `${days} days`} before`;
    this.complain(problem);
  }

  private complain(problem: string | null): void {
    this.problem.hidden = problem === null;
    this.problem.textContent = problem ?? '';
  }
}
