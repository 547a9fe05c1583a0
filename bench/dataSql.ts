import { CLIENT_LAYOUT } from '../src/tenants/clientTables.ts';
import { quoteIdent } from '../src/db/identifiers.ts';

/**
 * How generated visitors behave. Shares are of the previous step (page load: of all sessions); the three actions
 * are exclusive, the rest of the human requests take none. Delays are seconds: `min + exponential(mean)`.
 */
export const FUNNEL_MODEL = {
  pageLoaded: 0.95,
  widgetOpened: 0.35,
  requestedHuman: 0.30,
  pressedAccept: 0.45,
  pressedCallback: 0.25,
  pressedContinue: 0.18,
  /** Sessions without a page load that still open the widget (a data quirk the funnel must ignore). */
  orphanWidget: 0.05,
} as const;

/** Local time of day (hours): background traffic, a midday peak and a larger evening one. */
const DAY_RHYTHM = { background: 0.15, midday: { share: 0.45, mean: 12.5, sd: 2.5 }, evening: { mean: 20, sd: 2 } };

export const USER_EVENTS_COLUMNS = CLIENT_LAYOUT.UserEvents.map((c) => c.name);
const COLUMN_LIST = USER_EVENTS_COLUMNS.map(quoteIdent).join(', ');

const seconds = (min: number, mean: number, u: string) => `(${min} + -ln(1 - ${u}) * ${mean}) * interval '1 second'`;

/**
 * INSERT … SELECT of generated sessions. `starts` is a subquery yielding `id` (text) and `created` (UTC
 * `timestamp`, the session start) per row; `$now` (a timestamptz parameter) caps every timestamp so nothing lies
 * in the future. `updatedAt` is the last step unless `updatedAt` gives another expression (e.g. the write time).
 * Each LATERAL step has `OFFSET 0` so PostgreSQL cannot inline it: inlined, every reference would copy the whole
 * expression tree above it and the generator runs ten times slower. The random draws name an outer column so they
 * are drawn per row (an uncorrelated subquery would be evaluated once for all rows).
 */
export function insertSessionsSql(starts: string, now: string, updatedAt?: string): string {
  const m = FUNNEL_MODEL;
  const nowUtc = `(${now} AT TIME ZONE 'UTC')`;
  const cap = (expr: string) => `CASE WHEN ${expr} > ${nowUtc} THEN ${nowUtc} ELSE ${expr} END`;
  const steps = ['page', 'widget', 'human', 'accept', 'callback', 'cont'].map((s) => `${s}.at`);
  return `INSERT INTO "UserEvents" (${COLUMN_LIST})
SELECT s.id, ${cap('page.at')}, ${cap('widget.at')}, ${cap('human.at')},
       ${cap('accept.at')}, ${cap('callback.at')}, ${cap('cont.at')},
       s.created, ${updatedAt ?? `GREATEST(s.created, ${steps.map(cap).join(', ')})`}
  FROM (${starts}) AS s
  CROSS JOIN LATERAL (SELECT s.id, random() AS u_page, random() AS u_widget, random() AS u_human, random() AS u_action,
                             random() AS d1, random() AS d2, random() AS d3, random() AS d4 OFFSET 0) AS r
  CROSS JOIN LATERAL (SELECT CASE WHEN r.u_page < ${m.pageLoaded} THEN s.created + r.d1 * 3 * interval '1 second' END AS at OFFSET 0) AS page
  CROSS JOIN LATERAL (SELECT CASE WHEN page.at IS NOT NULL AND r.u_widget < ${m.widgetOpened} THEN page.at + ${seconds(2, 45, 'r.d2')}
                                  WHEN page.at IS NULL AND r.u_widget < ${m.orphanWidget} THEN s.created + ${seconds(2, 45, 'r.d2')}
                             END AS at OFFSET 0) AS widget
  CROSS JOIN LATERAL (SELECT CASE WHEN widget.at IS NOT NULL AND r.u_human < ${m.requestedHuman}
                                  THEN widget.at + ${seconds(10, 90, 'r.d3')} END AS at OFFSET 0) AS human
  CROSS JOIN LATERAL (SELECT CASE WHEN human.at IS NOT NULL AND r.u_action < ${m.pressedAccept}
                                  THEN human.at + ${seconds(5, 60, 'r.d4')} END AS at OFFSET 0) AS accept
  CROSS JOIN LATERAL (SELECT CASE WHEN human.at IS NOT NULL AND r.u_action >= ${m.pressedAccept}
                                   AND r.u_action < ${m.pressedAccept + m.pressedCallback}
                                  THEN human.at + ${seconds(5, 90, 'r.d4')} END AS at OFFSET 0) AS callback
  CROSS JOIN LATERAL (SELECT CASE WHEN human.at IS NOT NULL AND r.u_action >= ${m.pressedAccept + m.pressedCallback}
                                   AND r.u_action < ${m.pressedAccept + m.pressedCallback + m.pressedContinue}
                                  THEN human.at + ${seconds(5, 40, 'r.d4')} END AS at OFFSET 0) AS cont
 WHERE s.created <= ${nowUtc}`;
}

/**
 * Session starts for whole local days: `$1` dates, `$2` sessions per date, `$3` the time zone. Times of day follow
 * `DAY_RHYTHM` (Box–Muller normals, wrapped into the day); the local time is turned into UTC wall-clock time, as
 * Prisma's `timestamp(3)` stores it.
 */
export function dailyStartsSql(): string {
  const { background, midday, evening } = DAY_RHYTHM;
  const normal = `sqrt(-2 * ln(1 - t.u1)) * cos(2 * pi() * t.u2)`;
  return `SELECT gen_random_uuid()::text AS id,
       (((d.day + (x.h - 24 * floor(x.h / 24)) * interval '1 hour') AT TIME ZONE $3::text) AT TIME ZONE 'UTC') AS created
  FROM unnest($1::date[], $2::int[]) AS d(day, n)
  CROSS JOIN LATERAL (SELECT random() AS mix, random() AS u1, random() AS u2 FROM generate_series(1, d.n)) AS t
  CROSS JOIN LATERAL (SELECT CASE WHEN t.mix < ${background} THEN 24 * t.u1
                                  WHEN t.mix < ${background + midday.share} THEN ${midday.mean} + ${midday.sd} * ${normal}
                                  ELSE ${evening.mean} + ${evening.sd} * ${normal} END AS h OFFSET 0) AS x`;
}
