/** Whole local days in the client's time zone, `to` inclusive — the API's `?from=YYYY-MM-DD&to=YYYY-MM-DD`. */
export interface DayRange {
  from: string;
  to: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Calendar arithmetic on local dates; UTC midnight stands for the date, so no time zone can shift it. */
const toMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
/** A real calendar date: `2024-02-30` parses (as 1 March), so the round trip must give it back unchanged. */
export const isDate = (value: string | null): value is string =>
  value !== null && DATE.test(value) && !Number.isNaN(toMs(value)) && new Date(toMs(value)).toISOString().startsWith(value);
export const addDays = (date: string, days: number) => new Date(toMs(date) + days * DAY_MS).toISOString().slice(0, 10);
export const dayCount = (range: DayRange) => Math.round((toMs(range.to) - toMs(range.from)) / DAY_MS) + 1;

export interface Preset {
  id: string;
  label: string;
  range: (today: string) => DayRange;
}

const lastDays = (n: number) => (today: string) => ({ from: addDays(today, 1 - n), to: today });

export const PRESETS: Preset[] = [
  { id: 'today', label: 'Today', range: lastDays(1) },
  { id: '7d', label: '7 days', range: lastDays(7) },
  { id: '30d', label: '30 days', range: lastDays(30) },
  { id: '90d', label: '90 days', range: lastDays(90) },
  { id: 'month', label: 'This month', range: (today) => ({ from: `${today.slice(0, 8)}01`, to: today }) },
];

export function presetOf(range: DayRange, today: string): Preset | undefined {
  return PRESETS.find((preset) => {
    const candidate = preset.range(today);
    return candidate.from === range.from && candidate.to === range.to;
  });
}

/** The range in the address bar; a missing or malformed bound falls back to the default, and says so. */
export function rangeFromSearch(search: string, fallback: DayRange): { range: DayRange; problem: string | null } {
  const params = new URLSearchParams(search);
  const from = params.get('from');
  const to = params.get('to');
  const bad = [from !== null && !isDate(from) ? `from "${from}"` : '', to !== null && !isDate(to) ? `to "${to}"` : ''].filter(Boolean);
  const end = isDate(to) ? to : fallback.to;
  const range = { from: isDate(from) ? from : isDate(to) ? addDays(end, 1 - dayCount(fallback)) : fallback.from, to: end };
  if (range.from > range.to) return { range: fallback, problem: `The address asks for ${range.from} to ${range.to}, which ends before it starts.` };
  return { range, problem: bad.length ? `Ignored ${bad.join(' and ')} in the address: expected YYYY-MM-DD.` : null };
}

export function searchOf(range: DayRange): string {
  return `?${new URLSearchParams({ from: range.from, to: range.to })}`;
}
