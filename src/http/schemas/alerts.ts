import { Type, type Static, type TProperties, type TSchema } from 'typebox';
import { RULES, type AlertOverrides, type RuleSettings } from '../../notify/alerts/ruleSettings.ts';

/** `type: [t, 'null']` rather than a union, so strict body validation names the real constraint (as adminClients). */
const NullOr = <T extends TSchema>(schema: T) => Type.Unsafe<Static<T> | null>({ ...schema, type: [(schema as unknown as { type: string }).type, 'null'] });
const OrNull = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);
const int = (minimum: number, maximum: number, description?: string) => Type.Integer({ minimum, maximum, description });
const num = (minimum: number, maximum: number, description?: string) => Type.Number({ minimum, maximum, description });
const CLOCK = '^(?:[01]\\d|2[0-3]):[0-5]\\d$|^24:00$';

const common = {
  enabled: Type.Boolean(),
  businessHoursOnly: Type.Boolean({ description: "evaluated and notified only within the client's business hours" }),
  mutedUntil: NullOr(Type.String({ maxLength: 40, description: 'RFC 3339 date-time: no notification before it (still evaluated)' })),
};

const ruleProperties: Record<(typeof RULES)[number], TProperties> = {
  'no-data': {
    ...common,
    minWeeks: int(1, 8, 'whole weeks of history before the rule is on'),
    baselineWeeks: int(1, 8, 'weeks the usual traffic of a weekday-hour is averaged over'),
    minExpected: num(1, 100_000, 'judged only when the window expects at least this many sessions'),
    pValue: num(1e-12, 0.5, 'fires when P(X <= observed) under Poisson(expected) is below this'),
    resolvePValue: num(1e-12, 1, 'resolves when it is above this'),
  },
  'widget-open-drop': {},
  'human-request-drop': {},
  'accept-drop': {},
  'unanswered-handoffs': {
    ...common,
    windowMinutes: int(10, 1440),
    maxUnanswered: int(0, 100_000, 'fires with more unanswered requests for a human than this in the window'),
    resolveAtMost: int(0, 100_000, 'resolves at this many or fewer'),
  },
  'database-unreachable': { ...common, forMinutes: int(0, 1440, 'fires once unreachable this long') },
};
const kpi: TProperties = {
  ...common,
  currentHours: int(1, 168, 'the recent window'),
  baselineDays: int(1, 56, 'the baseline: this many days just before the recent window'),
  minSample: int(1, 10_000_000, "the rate's denominator in the recent window must be at least this"),
  minRelativeDrop: num(0.01, 1, 'fires when the rate is this fraction below its baseline (and the test agrees)'),
  resolveRelativeDrop: num(0, 1, 'resolves when the drop is less than this'),
  pValue: num(1e-12, 0.5, 'one-sided two-proportion z-test'),
};
for (const rule of ['widget-open-drop', 'human-request-drop', 'accept-drop'] as const) ruleProperties[rule] = kpi;

const BusinessHours = Type.Object({
  days: Type.Array(int(1, 7), { minItems: 1, maxItems: 7, description: 'local weekdays, 1 = Monday' }),
  start: Type.String({ pattern: CLOCK, description: 'local time HH:MM' }),
  end: Type.String({ pattern: CLOCK, description: 'local time HH:MM (exclusive)' }),
}, { additionalProperties: false });

const partial = (props: TProperties) => Type.Object(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])), { additionalProperties: false });
const full = (props: TProperties) => Type.Object(props);

/** PUT: the client's overrides, replacing what it had; whatever is left out follows the defaults. */
export const AlertOverridesBody = Type.Unsafe<AlertOverrides>(Type.Object({
  businessHours: Type.Optional(Type.Unsafe<Static<typeof BusinessHours> | null>({ ...BusinessHours, type: ['object', 'null'] })),
  rules: Type.Optional(Type.Object(Object.fromEntries(RULES.map((rule) => [rule, Type.Optional(partial(ruleProperties[rule]))])), { additionalProperties: false })),
}, { additionalProperties: false }));

export const AlertRulesBody = Type.Object({
  clientId: Type.String(),
  timezone: Type.String({ description: 'business hours are read in this zone' }),
  businessHours: OrNull(BusinessHours),
  rules: Type.Unsafe<RuleSettings>(Type.Object(Object.fromEntries(RULES.map((rule) => [rule, full(ruleProperties[rule])])))),
  overrides: Type.Object({}, { additionalProperties: true, description: 'what this client changed; the rest are defaults' }),
});

export const AlertBody = Type.Object({
  clientId: Type.String(),
  rule: Type.String(),
  state: Type.Union([Type.Literal('ok'), Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')]),
  since: Type.String(),
  title: Type.String(),
  facts: Type.Record(Type.String(), Type.Unknown()),
  evaluatedAt: Type.String(),
  lastNotifiedAt: OrNull(Type.String()),
});

export const AlertChangeBody = Type.Object({
  id: Type.Integer(),
  clientId: Type.String(),
  rule: Type.String(),
  at: Type.String(),
  from: Type.String(),
  to: Type.String(),
  title: Type.String(),
  facts: Type.Record(Type.String(), Type.Unknown()),
});
