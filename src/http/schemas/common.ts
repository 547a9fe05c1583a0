import { Type, type TProperties, type TSchema } from 'typebox';

/** Shared route-schema pieces: Fastify validates requests and shapes responses with them; OpenAPI is built from them. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Fraction = Nullable(Type.Number({ minimum: 0, description: 'fraction 0..1; null when the denominator is 0' }));
export const Count = Type.Integer({ minimum: 0 });
export const Seconds = Nullable(Type.Number({ description: 'seconds' }));
export const LocalDate = Type.String({ description: 'local date, YYYY-MM-DD' });

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { description: 'Every error has this shape; `message` names the bad field for 400s.' },
);

// Any id that is not a visible client is a 404, so the path is not pattern-checked here.
export const ClientParams = Type.Object({ clientId: Type.String({ maxLength: 64 }) });

const text = (maxLength: number, description: string) => Type.Optional(Type.String({ maxLength, description }));

export const rangeQuery = {
  from: text(40, 'YYYY-MM-DD (local day, inclusive) or RFC 3339 date-time with offset'),
  to: text(40, 'YYYY-MM-DD (local day, inclusive) or RFC 3339 date-time (exclusive)'),
  tz: text(64, "IANA time zone; defaults to the client's"),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: same as Accept: text/csv' })),
};
export const funnelQuery = {
  mode: Type.Optional(Type.Union([Type.Literal('any'), Type.Literal('ordered')], {
    description: 'ordered: each step no earlier than the previous one',
  })),
  window: text(20, 'the whole funnel within this time of the anchor: 30m, 2h, 1d or ISO 8601 (PT30M)'),
};
export const compareQuery = {
  compare: Type.Optional(Type.Union([Type.Literal('previous'), Type.Literal('year')], {
    description: 'previous: the period of equal length just before; year: the same dates a year earlier',
  })),
  compareAlign: Type.Optional(Type.Union([Type.Literal('date'), Type.Literal('weekday')], { description: 'with compare=year: weekday = 52 weeks earlier' })),
  compareFrom: text(40, 'explicit comparison range start (like from)'),
  compareTo: text(40, 'explicit comparison range end (like to)'),
};

/** Fields every range-based answer starts with. */
export const rangeHeader = {
  clientId: Type.String(),
  timezone: Type.String(),
  from: Type.String({ description: 'resolved inclusive start, RFC 3339' }),
  to: Type.String({ description: 'resolved exclusive end, RFC 3339' }),
  generatedAt: Type.String({ description: 'when these numbers were computed (answers are cached briefly)' }),
};

export const ChangeSchema = Type.Object({
  metric: Type.String(),
  kind: Type.Union([Type.Literal('count'), Type.Literal('rate'), Type.Literal('seconds')]),
  current: Nullable(Type.Number()),
  previous: Nullable(Type.Number()),
  change: Nullable(Type.Number()),
  relativeChange: Nullable(Type.Number()),
  percentagePoints: Nullable(Type.Number()),
  smallSample: Type.Boolean({ description: 'fewer than 30 events behind it in either period' }),
});

/** A metric's answer: the range header, then its fields. */
export function metricBody<F extends TProperties>(fields: F) {
  return Type.Object({ ...rangeHeader, ...fields });
}

/** A comparable metric's answer: with `compare`, also the same fields for the other period and what changed. */
export function comparableBody<F extends TProperties>(fields: F) {
  return Type.Object({
    ...rangeHeader,
    ...fields,
    comparison: Type.Optional(Type.Object({ from: Type.String(), to: Type.String(), ...fields })),
    changes: Type.Optional(Type.Array(ChangeSchema)),
  });
}
