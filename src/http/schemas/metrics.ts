import { Type } from 'typebox';
import { ACTIONS, COUNTERS, FUNNEL_STEPS } from '../../analytics/steps.ts';
import { RATES } from '../../analytics/getMetrics.ts';
import { Count, Fraction, LocalDate, Nullable, Seconds } from './common.ts';

/** The fields of each core metric's answer (after the range header). */
const countFields = { sessions: Count, ...Object.fromEntries(COUNTERS.map((c) => [c, Count])) };
const Ratio = Type.Object({ value: Fraction, numerator: Count, denominator: Count });
const Timestamp = Nullable(Type.String({ description: 'RFC 3339, UTC' }));

export const FunnelFields = {
  sessions: Count,
  steps: Type.Array(Type.Object({
    step: Type.Union(FUNNEL_STEPS.map((s) => Type.Literal(s))),
    count: Count,
    rateFromPrevious: Fraction,
    rateFromFirst: Fraction,
  })),
  actions: Type.Array(Type.Object({ action: Type.Union(ACTIONS.map((a) => Type.Literal(a))), count: Count, rate: Fraction })),
};

export const DailyFields = { days: Type.Array(Type.Object({ date: LocalDate, ...countFields })) };

export const HourlyFields = {
  hours: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), ...countFields })),
  peakHour: Nullable(Type.Integer()),
};

export const HeatmapFields = {
  cells: Type.Array(Type.Object({ weekday: Type.Integer({ minimum: 1, maximum: 7 }), hour: Type.Integer(), sessions: Count })),
};

export const MetricsFields = {
  sessions: Count,
  rates: Type.Object(Object.fromEntries(Object.keys(RATES).map((k) => [k, Ratio]))),
  acceptVsCallback: Type.Object({ accept: Ratio, callback: Ratio }),
  duration: Type.Object({
    sessions: Count, medianSeconds: Seconds, p90Seconds: Seconds, meanSeconds: Seconds,
    approximate: Type.Boolean({
      description: 'true when answered from rollups: median and p90 from a log-bucket sketch, each within 1 % of the exact value (sessions and mean stay exact); false: computed exactly from the raw rows',
    }),
  }),
  peakHours: Type.Array(Type.Integer()),
};

export const SessionsFields = {
  sessions: Type.Array(Type.Object({
    sessionId: Type.String(),
    startedAt: Type.String(),
    ...Object.fromEntries(COUNTERS.map((c) => [c, Timestamp])),
    reachedStep: Nullable(Type.String()),
    durationSeconds: Nullable(Type.Number()),
  })),
  nextCursor: Nullable(Type.String()),
};

/** Two shapes: the statistics, or why they are not available (a missing table is an answer, not an error). */
export const LeadsFields = {
  available: Type.Literal(true),
  total: Count,
  sessions: Count,
  withEmail: Nullable(Count),
  withPhone: Nullable(Count),
  captureRate: Fraction,
  days: Type.Array(Type.Object({ date: LocalDate, leads: Count })),
};
export const LeadsUnavailableFields = { available: Type.Literal(false), reason: Type.String() };

const TablePresence = Type.Object({ UserEvents: Type.Boolean(), Leads: Type.Boolean(), ChatLog: Type.Boolean(), AgentConnection: Type.Boolean() });
export const TestOkBody = Type.Object({ ok: Type.Literal(true), latencyMs: Type.Number(), serverVersion: Type.String(), tables: TablePresence });
export const TestFailBody = Type.Object({ ok: Type.Literal(false), error: Type.String() });

export const ClientSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain: Nullable(Type.String()),
  timezone: Type.String(),
  branding: Type.Object({ primaryColor: Type.String(), logoUrl: Nullable(Type.String()) }),
  grafanaOrgId: Nullable(Type.Integer()),
  demo: Type.Boolean({ description: 'served from generated demo data' }),
});
