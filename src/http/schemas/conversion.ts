import { Type, type TSchema } from 'typebox';
import { OUTCOMES } from '../../analytics/getHandoffs.ts';
import { TRANSITIONS } from '../../analytics/getTimeToConvert.ts';
import { COUNTERS } from '../../analytics/steps.ts';
import { comparableBody, Count, Fraction, LocalDate, Nullable, Seconds } from './common.ts';

/** The fields of the time-to-convert and handoff answers (after the range header). */
const Timing = {
  count: Count,
  p50Seconds: Seconds,
  p90Seconds: Seconds,
  meanSeconds: Seconds,
};
const TimingObject = Type.Object(Timing);
const byTransition = (schema: TSchema) =>
  Type.Object(Object.fromEntries(TRANSITIONS.map((t) => [t.key, schema])));
const Counter = Type.Union(COUNTERS.map((c) => Type.Literal(c)));

export const TimeToConvertFields = {
  transitions: Type.Array(Type.Object({
    key: Type.String({ description: 'e.g. pageLoadedToWidgetOpened' }),
    from: Counter,
    to: Counter,
    ...Timing,
    histogram: Type.Array(Type.Object({
      label: Type.String(),
      fromSeconds: Type.Number({ description: 'inclusive' }),
      toSeconds: Nullable(Type.Number({ description: 'exclusive; null for the open last bin' })),
      count: Count,
    })),
  })),
  trend: Type.Array(Type.Object({
    date: LocalDate,
    p50Seconds: byTransition(Seconds),
    count: byTransition(Count),
  }), { description: 'every local day of the range; p50 is null on a day without such a session' }),
};

const AgentAvailable = Type.Object({
  available: Type.Literal(true),
  requested: Count,
  connected: Count,
  neverConnected: Type.Object({ count: Count, share: Fraction }),
  timeToAgent: TimingObject,
  connectionDuration: Nullable(TimingObject),
  staffing: Type.Array(Type.Object({
    weekday: Type.Integer({ minimum: 1, maximum: 7 }),
    hour: Type.Integer({ minimum: 0, maximum: 23 }),
    requested: Count,
    answered: Count,
  })),
});
const AgentUnavailable = Type.Object({ available: Type.Literal(false), reason: Type.String() });

export const HandoffsFields = {
  abandonAfterSeconds: Type.Integer({ minimum: 1 }),
  handoffs: Count,
  outcomes: Type.Array(Type.Object({
    outcome: Type.Union(OUTCOMES.map((o) => Type.Literal(o))),
    count: Count,
    share: Fraction,
  })),
  agent: Type.Union([AgentAvailable, AgentUnavailable]),
};

export const HandoffsQuery = {
  abandonAfter: Type.Optional(Type.String({
    maxLength: 20,
    description: 'no action within this time of the request = abandoned: 30m, 2h, 90s or ISO 8601 (PT10M); default 10m',
  })),
};

export const TimeToConvertBody = comparableBody(TimeToConvertFields);
export const HandoffsBody = comparableBody(HandoffsFields);
