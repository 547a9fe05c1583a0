import { Type, type Static } from 'typebox';
import { ChangeSchema, Count, LocalDate, Nullable } from './common.ts';

/** `GET /api/portfolio`: one row per visible client for a period, against the period before it. */
export const PortfolioQuery = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 8, description: 'the last N local days including today, e.g. 7d (default) or 30d; or give from/to' })),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD (local day, inclusive) or RFC 3339 date-time, in each client\'s time zone' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD (local day, inclusive) or RFC 3339 date-time (exclusive)' })),
  clients: Type.Optional(Type.String({ maxLength: 4000, description: 'comma-separated client ids (default: every client you may see); one you may not see is a 404' })),
});

const Kpi = Nullable(ChangeSchema);

export const FreshnessSchema = Type.Object({
  lastSessionAt: Nullable(Type.String({ description: 'latest session in the last 8 weeks, RFC 3339 UTC' })),
  quietHours: Nullable(Type.Number({ description: 'hours since the last session' })),
  usualSinceLast: Type.Number({ description: "sessions the client's usual traffic (same local weekday and hour, last 8 weeks) would have had since then" }),
  baselineWeeks: Type.Integer({ minimum: 0, description: 'weeks of history the baseline has (those with any data)' }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('quiet'), Type.Literal('silent'), Type.Literal('no-history')], {
    description: 'quiet: at least 3 sessions usual since the last one; silent: at least 7 (silence by chance under 0.1 %)',
  }),
  summary: Type.String({ description: 'e.g. "quiet for 26 h, usually 40 sessions in that time"' }),
});

export const OpenAlertSchema = Type.Object({
  rule: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('firing')]),
  since: Type.String(),
  title: Type.String(),
});

const Head = {
  clientId: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  from: Nullable(Type.String({ description: 'resolved inclusive start, RFC 3339' })),
  to: Nullable(Type.String({ description: 'resolved exclusive end, RFC 3339' })),
  alerts: Nullable(Type.Array(OpenAlertSchema, { description: 'open alerts; null when they could not be read' })),
};

export const PortfolioRowSchema = Type.Union([
  Type.Object({
    ...Head,
    state: Type.Literal('ok'),
    kpis: Type.Object({
      sessions: Kpi, widgetOpenRate: Kpi, humanRequestRate: Kpi, acceptRate: Kpi,
      leads: Type.Union([ChangeSchema, Type.Null()], { description: 'null without a Leads table' }),
      unansweredHandoffs: Type.Union([ChangeSchema, Type.Null()], { description: 'human requests with no accept, callback or continue within 10 minutes' }),
    }),
    trend: Type.Array(Type.Object({ date: LocalDate, sessions: Count })),
    freshness: FreshnessSchema,
  }),
  Type.Object({
    ...Head,
    state: Type.Literal('unavailable'),
    error: Type.Object({ code: Type.String(), message: Type.String() }, { description: 'why this client could not answer (its database is down, busy, …)' }),
  }),
]);

export const PortfolioBody = Type.Object({
  generatedAt: Type.String(),
  clients: Type.Array(PortfolioRowSchema),
});
export type PortfolioAnswer = Static<typeof PortfolioBody>;
