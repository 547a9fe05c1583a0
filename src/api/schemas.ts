import { Type, type TSchema } from 'typebox';
import { ACTIONS, COUNTERS, FUNNEL_STEPS } from '../analytics/steps.ts';
import { RATES } from '../analytics/getMetrics.ts';

/** Route schemas: Fastify validates requests and shapes responses with them, and the OpenAPI document is built from them. */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Fraction = Nullable(Type.Number({ minimum: 0, description: 'fraction 0..1; null when the denominator is 0' }));
const Count = Type.Integer({ minimum: 0 });
const LocalDate = Type.String({ description: 'local date, YYYY-MM-DD' });

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { $id: 'Error', description: 'Every error has this shape; `message` names the bad field for 400s.' },
);

// Any id that is not a visible client is a 404, so the path is not pattern-checked here.
export const ClientParams = Type.Object({ clientId: Type.String({ maxLength: 64 }) });

const rangeFields = {
  from: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD (local day, inclusive) or RFC 3339 date-time with offset' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD (local day, inclusive) or RFC 3339 date-time (exclusive)' })),
  tz: Type.Optional(Type.String({ maxLength: 64, description: "IANA time zone; defaults to the client's" })),
};
export const RangeQuery = Type.Object(rangeFields);
export const SessionsQuery = Type.Object({
  ...rangeFields,
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: '`nextCursor` of the previous page' })),
});

/** Fields every range-based answer starts with. */
const rangeHeader = {
  clientId: Type.String(),
  timezone: Type.String(),
  from: Type.String({ description: 'resolved inclusive start, RFC 3339' }),
  to: Type.String({ description: 'resolved exclusive end, RFC 3339' }),
};
const countFields = { sessions: Count, ...Object.fromEntries(COUNTERS.map((c) => [c, Count])) };
const Ratio = Type.Object({ value: Fraction, numerator: Count, denominator: Count });

export const FunnelBody = Type.Object({
  ...rangeHeader,
  sessions: Count,
  steps: Type.Array(Type.Object({
    step: Type.Union(FUNNEL_STEPS.map((s) => Type.Literal(s))),
    count: Count,
    rateFromPrevious: Fraction,
    rateFromFirst: Fraction,
  })),
  actions: Type.Array(Type.Object({ action: Type.Union(ACTIONS.map((a) => Type.Literal(a))), count: Count, rate: Fraction })),
});

export const DailyBody = Type.Object({ ...rangeHeader, days: Type.Array(Type.Object({ date: LocalDate, ...countFields })) });

export const HourlyBody = Type.Object({
  ...rangeHeader,
  hours: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), ...countFields })),
  peakHour: Nullable(Type.Integer()),
});

export const HeatmapBody = Type.Object({
  ...rangeHeader,
  cells: Type.Array(Type.Object({ weekday: Type.Integer({ minimum: 1, maximum: 7 }), hour: Type.Integer(), sessions: Count })),
});

export const MetricsBody = Type.Object({
  ...rangeHeader,
  sessions: Count,
  rates: Type.Object(Object.fromEntries(Object.keys(RATES).map((k) => [k, Ratio]))),
  acceptVsCallback: Type.Object({ accept: Ratio, callback: Ratio }),
  duration: Type.Object({
    sessions: Count,
    medianSeconds: Nullable(Type.Number()),
    p90Seconds: Nullable(Type.Number()),
    meanSeconds: Nullable(Type.Number()),
  }),
  peakHours: Type.Array(Type.Integer()),
});

const Timestamp = Nullable(Type.String({ description: 'RFC 3339, UTC' }));
export const SessionsBody = Type.Object({
  ...rangeHeader,
  sessions: Type.Array(Type.Object({
    sessionId: Type.String(),
    startedAt: Type.String(),
    ...Object.fromEntries(COUNTERS.map((c) => [c, Timestamp])),
    reachedStep: Nullable(Type.String()),
    durationSeconds: Nullable(Type.Number()),
  })),
  nextCursor: Nullable(Type.String()),
});

export const LeadsBody = Type.Union([
  Type.Object({
    ...rangeHeader,
    available: Type.Literal(true),
    total: Count,
    withEmail: Nullable(Count),
    withPhone: Nullable(Count),
    captureRate: Fraction,
    days: Type.Array(Type.Object({ date: LocalDate, leads: Count })),
  }),
  Type.Object({ ...rangeHeader, available: Type.Literal(false), reason: Type.String() }),
]);

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
