/**
 * The alert rules and their settings: defaults for every client, and what a client's overrides may change. The
 * defaults are chosen so an alert is worth waking for: the no-data rule waits for 3 weeks of history and needs an
 * expected count at which silence is really unlikely; a rate drop needs both a sample and a size.
 */
export const NO_DATA = 'no-data';
export const KPI_RULES = { 'widget-open-drop': 'widgetOpen', 'human-request-drop': 'humanRequest', 'accept-drop': 'accept' } as const;
export type KpiRule = keyof typeof KPI_RULES;
export const RULES = [NO_DATA, ...(Object.keys(KPI_RULES) as KpiRule[]), 'unanswered-handoffs', 'database-unreachable'] as const;
export type RuleName = (typeof RULES)[number];

export interface CommonSettings {
  enabled: boolean;
  /** Evaluated and notified only within the client's business hours (its own time zone). */
  businessHoursOnly: boolean;
  /** No notification before this instant (RFC 3339); the rule is still evaluated, so its state stays true. */
  mutedUntil: string | null;
}

export interface NoDataSettings extends CommonSettings {
  /** Whole weeks of history with data before the rule is on. */
  minWeeks: number;
  /** Weeks the usual traffic is averaged over. */
  baselineWeeks: number;
  /** The smallest expected count worth judging: the window grows (1 h … 24 h) until it expects this many. */
  minExpected: number;
  /**
   * Fires when P(X ≤ observed | Poisson(expected)) is below this … (1e-6: 0–4 sessions where 20 are usual, 0–12 of 40;
   * real traffic varies more than Poisson from day to day, and consecutive evaluations see nearly the same window,
   * so a looser threshold would wake someone for noise every day across an agency's clients) …
   */
  pValue: number;
  /** … and resolves only once it is above this (the margin that keeps it from flapping). */
  resolvePValue: number;
}

export interface KpiDropSettings extends CommonSettings {
  /** The recent window, and the baseline just before it. */
  currentHours: number;
  baselineDays: number;
  /** The rate's denominator in the recent window must be at least this. */
  minSample: number;
  /** Fires when the rate is this fraction (or more) below its baseline … */
  minRelativeDrop: number;
  /** … and resolves when the drop is less than this. */
  resolveRelativeDrop: number;
  /** A two-proportion z-test (one-sided) must also find the drop this unlikely by chance. */
  pValue: number;
}

export interface HandoffSettings extends CommonSettings {
  windowMinutes: number;
  /** Fires with more unanswered requests than this in the window … */
  maxUnanswered: number;
  /** … resolves at this many or fewer. */
  resolveAtMost: number;
}

export interface UnreachableSettings extends CommonSettings {
  /** Unreachable for at least this long before it fires. */
  forMinutes: number;
}

export interface RuleSettings {
  'no-data': NoDataSettings;
  'widget-open-drop': KpiDropSettings;
  'human-request-drop': KpiDropSettings;
  'accept-drop': KpiDropSettings;
  'unanswered-handoffs': HandoffSettings;
  'database-unreachable': UnreachableSettings;
}

/** Local weekdays (1 = Monday) and hours ("09:00" up to "17:30") in the client's time zone. */
export interface BusinessHours {
  days: number[];
  start: string;
  end: string;
}

export interface AlertSettings {
  businessHours: BusinessHours | null;
  rules: RuleSettings;
}

/** What a client stored: any part of the settings; the rest follows the defaults. */
export interface AlertOverrides {
  businessHours?: BusinessHours | null;
  rules?: { [R in RuleName]?: Partial<RuleSettings[R]> };
}

const common: CommonSettings = { enabled: true, businessHoursOnly: false, mutedUntil: null };
const kpi: KpiDropSettings = {
  ...common, currentHours: 24, baselineDays: 28, minSample: 100, minRelativeDrop: 0.3, resolveRelativeDrop: 0.15, pValue: 0.01,
};

export const DEFAULT_SETTINGS: AlertSettings = {
  businessHours: null,
  rules: {
    'no-data': { ...common, minWeeks: 3, baselineWeeks: 4, minExpected: 20, pValue: 1e-6, resolvePValue: 0.01 },
    'widget-open-drop': kpi,
    'human-request-drop': kpi,
    'accept-drop': kpi,
    'unanswered-handoffs': { ...common, windowMinutes: 60, maxUnanswered: 5, resolveAtMost: 2 },
    'database-unreachable': { ...common, forMinutes: 5 },
  },
};

/** The settings in force: each rule's defaults with the client's overrides on top. */
export function effectiveSettings(overrides: AlertOverrides): AlertSettings {
  const rules = Object.fromEntries(RULES.map((rule) => [rule, { ...DEFAULT_SETTINGS.rules[rule], ...overrides.rules?.[rule] }]));
  return {
    businessHours: overrides.businessHours === undefined ? DEFAULT_SETTINGS.businessHours : overrides.businessHours,
    rules: rules as unknown as RuleSettings,
  };
}

/** What makes a rule's settings contradict each other, as "field: problem", or null. */
export function settingsProblem(settings: AlertSettings): string | null {
  const hours = settings.businessHours;
  if (hours && hours.start >= hours.end) return 'businessHours.end: must be after businessHours.start';
  if (hours && new Set(hours.days).size !== hours.days.length) return 'businessHours.days: must not repeat a day';
  const r = settings.rules;
  const at = (rule: RuleName, field: string) => `rules.${rule}.${field}`;
  if (r['no-data'].resolvePValue < r['no-data'].pValue) return `${at('no-data', 'resolvePValue')}: must be at least pValue`;
  for (const rule of Object.keys(KPI_RULES) as KpiRule[]) {
    if (r[rule].resolveRelativeDrop > r[rule].minRelativeDrop) return `${at(rule, 'resolveRelativeDrop')}: must be at most minRelativeDrop`;
  }
  if (r['unanswered-handoffs'].resolveAtMost > r['unanswered-handoffs'].maxUnanswered) {
    return `${at('unanswered-handoffs', 'resolveAtMost')}: must be at most maxUnanswered`;
  }
  for (const rule of RULES) {
    const muted = r[rule].mutedUntil;
    if (muted !== null && Number.isNaN(Date.parse(muted))) return `${at(rule, 'mutedUntil')}: is not a valid date-time`;
  }
  if (hours?.days.some((day) => !Number.isInteger(day) || day < 1 || day > 7)) return 'businessHours.days: each must be 1 (Monday) to 7';
  return null;
}
