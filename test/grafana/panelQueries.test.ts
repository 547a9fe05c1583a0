import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DateTime } from 'luxon';
import { RATES, type RateName } from '../../src/analytics/getMetrics.ts';
import { COUNTERS, FUNNEL_STEPS } from '../../src/analytics/steps.ts';
import type { ClientConfig } from '../../src/config/clients.ts';
import { pgTypes } from '../../src/db/pgTypes.ts';
import { generateDemoData } from '../../src/demo/generateDemoData.ts';
import { createClientTables, insertDemoData } from '../../src/demo/insertDemoData.ts';
import { buildClientDashboard } from '../../src/grafana/buildDashboard.ts';
import { RATE_LABELS } from '../../src/grafana/panelQueries.ts';
import { COUNTER_LABELS } from '../../src/grafana/sqlText.ts';
import { detectDashboardSource } from '../../src/grafana/dashboardSource.ts';
import { loadSydneyFixture } from '../fixtures/sydneyFixture.ts';
import { buildTestApp, testClient } from '../helpers/buildTestApp.ts';
import { expandGrafanaSql, type ExpandOptions, type GrafanaTimeRange } from '../helpers/grafanaMacros.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { createPool } from '../../src/db/pool.ts';

/**
 * The generated dashboard's panel SQL, expanded as Grafana expands it and run on PostgreSQL, must give what the API
 * gives for the same range: the panels and the API share metric definitions, and this proves the glue around them.
 */
type Row = Record<string, any>;
type Json = any;
interface PanelRun { type: string; format: string; sql: string; result: pg.QueryResult<Row> }

const NOW = new Date('2024-04-08T02:00:00Z'); // buildTestApp's clock
const OID = { timestamp: 1114, timestamptz: 1184, text: 25 };
const NUMERIC = new Set([20, 21, 23, 700, 701, 1700]);
const TITLE = {
  funnel: 'Conversion funnel', rates: 'Conversion rates', duration: 'Session duration', daily: 'Daily sessions and funnel',
  hourly: 'Hourly distribution', heatmap: 'Weekday × hour heatmap', sessions: 'Latest sessions', leads: 'Leads',
  captureRate: 'Lead capture rate', leadsDaily: 'Leads per day', timeToConvert: 'Time to convert',
  handoffs: 'After a human request', containment: 'Containment', timeToAgent: 'Time to agent', leadSources: 'Leads by source',
  unanswered: 'Unanswered human requests (weekday × hour)',
};
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const COUNTS = ['sessions', ...COUNTERS] as const;

describe('Grafana macro expansion', () => {
  const range = { from: new Date('2018-04-12T18:00:00Z'), to: new Date('2018-04-12T18:05:00Z') };
  const expand = (sql: string, options: Partial<ExpandOptions> = {}) => expandGrafanaSql(sql, { range, ...options });

  // Inputs and outputs from grafana/grafana pkg/tsdb/grafana-postgresql-datasource/macros_test.go (TestMacroEngine).
  it.each([
    ['select $__time(time_column)', 'select time_column AS "time"'],
    ['select min($__time(time_column))', 'select min(time_column AS "time")'],
    ['WHERE $__timeFilter(time_column)', "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'"],
    ['select $__timeFrom()', "select '2018-04-12T18:00:00Z'"],
    ['select $__timeTo()', "select '2018-04-12T18:05:00Z'"],
    ["SELECT $__timeGroup(time_column,'5m'), value", 'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value'],
    ["SELECT $__timeGroup(time_column,'5m') as time, value", 'SELECT floor(extract(epoch from time_column)/300)*300 as time, value'],
    ["SELECT $__timeGroupAlias(time_column,'5m')", 'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"'],
    ["$__timeGroup(time_column , '5m')", 'floor(extract(epoch from time_column)/300)*300'],
    ['select $__unixEpochFilter(time)', 'select time >= 1523556000 AND time <= 1523556300'],
    ['select $__unixEpochNanoFilter(time)', 'select time >= 1523556000000000000 AND time <= 1523556300000000000'],
    ['select $__unixEpochNanoFrom()', 'select 1523556000000000000'],
    ["SELECT $__unixEpochGroup(time_column+time_adjustment,'5m')", 'SELECT floor((time_column+time_adjustment)/300)*300'],
    ["SELECT $__unixEpochGroupAlias(time_column+time_adjustment,'5m')", 'SELECT floor((time_column+time_adjustment)/300)*300 AS "time"'],
    // sqleng.Interpolate, and Go's %v for a large float
    ['select $__unixEpochFrom(), $__unixEpochTo()', 'select 1523556000, 1523556300'],
    ["GROUP BY $__timeGroup(t, '12d')", 'GROUP BY floor(extract(epoch from t)/1.0368e+06)*1.0368e+06'],
  ])('expands %s', (sql, expected) => expect(expand(sql)).toBe(expected));

  it.each([["GROUP BY $__timeGroup(time_column,'5m')", '300.000s'], ["GROUP BY $__timeGroup(time_column , '12d')", '1036800.000s'],
    ["GROUP BY $__timeGroup(time_column , '20ms')", '0.020s']])('expands %s with TimescaleDB', (sql, bucket) =>
    expect(expand(sql, { timescaledb: true })).toBe(`GROUP BY time_bucket('${bucket}',time_column)`));

  it('formats ranges before 1970 and with fractions of a second like Go', () => {
    const old = { from: new Date('1960-02-01T07:00:00.5Z'), to: new Date('1980-02-03T08:00:00Z') };
    expect(expand('WHERE $__timeFilter(c) AND $__unixEpochFilter(e)', { range: old }))
      .toBe("WHERE c BETWEEN '1960-02-01T07:00:00.5Z' AND '1980-02-03T08:00:00Z' AND e >= -312915600 AND e <= 318412800");
  });

  it('replaces $__interval and $__interval_ms, and fails on unknown macros or intervals', () => {
    expect(expand('$__interval $__interval_ms', { intervalMs: 90_000 })).toBe('1m 90000');
    expect(() => expand('select $__nope(x)')).toThrow('unknown macro "__nope"');
    expect(() => expand('select $__timeGroup(t, 5x)')).toThrow('error parsing interval 5x');
  });

  it('interpolates dashboard variables like Grafana SQL data sources, leaving unknown names and macros alone', () => {
    const variables = { name: "O'Brien", ids: ['a', "b'c"], one: { value: 'x', multi: true }, n: 7 };
    expect(expand("$name ${name} [[name]] $ids ${ids:csv} $one $n $missing $__timeFrom() $__from", { variables }))
      .toBe(`O''Brien O''Brien O''Brien 'a','b''c' a,b'c 'x' 7 $missing '2018-04-12T18:00:00Z' 1523556000000`);
  });
});

let db: TestDatabase;
let grafanaDb: pg.Pool;
let app: Awaited<ReturnType<typeof buildTestApp>>;
let clients: ClientConfig[];

beforeAll(async () => {
  db = await createTestDatabase('grafana_panels');
  await loadSydneyFixture(db.pool, 'sydney', 'timestamp');
  await loadSydneyFixture(db.pool, 'sydney_tz', 'timestamptz');
  // The dashboards assume the chatbot's whole layout: give the fixtures its other (empty) tables and columns.
  for (const schema of ['sydney', 'sydney_tz']) {
    await db.pool.query(`ALTER TABLE "${schema}"."Leads" ADD COLUMN "source" TEXT`);
    await createClientTables(db.pool, schema);
  }
  await createClientTables(db.pool, 'demo');
  const demo = generateDemoData({ id: 'demo', timezone: 'Europe/London' }, { days: 45, sessionsPerDay: 120, now: NOW });
  await insertDemoData(db.pool, 'demo', demo);
  clients = [
    testClient('sydney', 'Australia/Sydney', db.url, 'sydney'),
    // timestamptz columns and no timestampType in the registry: the dashboard must find out from the database.
    testClient('sydney-tz', 'Australia/Sydney', db.url, 'sydney_tz'),
    testClient('demo', 'Europe/London', db.url, 'demo'),
  ];
  app = await buildTestApp(clients);
  // Grafana's own connection: a session TimeZone unlike UTC and unlike any client's, which the SQL must not depend on.
  grafanaDb = createPool({ connectionString: db.url, types: pgTypes, max: 2, options: '-c TimeZone=Pacific/Chatham' });
}, 90_000);

afterAll(async () => {
  await app?.close();
  await grafanaDb?.end();
  await db?.drop();
});

async function api(clientId: string, endpoint: string, query: string): Promise<Json> {
  const res = await app.inject({ method: 'GET', url: `/api/${clientId}/${endpoint}?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** The funnel variables as the dashboard opens (the API's defaults), or as a viewer sets them. */
type Funnel = { mode: string; window: string };
const DEFAULT_VARIABLES: Funnel = { mode: 'any', window: 'none' };

/**
 * Every query panel of the client's generated dashboard — built from what its database really has — expanded for
 * `range` and the funnel variables, and run the way Grafana runs it. Text panels run nothing.
 */
async function runDashboard(clientId: string, range: GrafanaTimeRange, variables: Funnel = DEFAULT_VARIABLES): Promise<Map<string, PanelRun>> {
  const client = clients.find((c) => c.id === clientId)!;
  const dashboard = buildClientDashboard(client, 'test-datasource', await detectDashboardSource(client));
  const runs = new Map<string, PanelRun>();
  for (const panel of dashboard.panels) {
    if (panel.type === 'text') continue;
    const { rawSql, format } = panel.targets[0] as { rawSql: string; format: string };
    const sql = expandGrafanaSql(rawSql, { range, variables });
    runs.set(panel.title, { type: panel.type, format, sql, result: await grafanaDb.query<Row>(sql) });
  }
  return runs;
}

const localMidnight = (date: string, zone: string) => DateTime.fromISO(date, { zone }).toJSDate();
const roundMs = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);
const counts = (source: Json, names: readonly (typeof COUNTS)[number][]) =>
  Object.fromEntries(names.map((name) => [COUNTER_LABELS[name], source[name]]));

// `leadsInRange: false`: a range without leads, where the Leads stat must still say 0 like /leads.
const CASES = [
  { name: 'Sydney fixture, timestamp(3), a 25-hour day', client: 'sydney', from: '2024-04-06', to: '2024-04-08', leadsInRange: true },
  { name: 'Sydney fixture, timestamptz columns', client: 'sydney-tz', from: '2024-04-06', to: '2024-04-08', leadsInRange: true },
  { name: 'Sydney fixture, a 23-hour day', client: 'sydney', from: '2024-10-05', to: '2024-10-07', leadsInRange: false },
  { name: '45 days of demo data in London, across a DST change', client: 'demo', from: '2024-03-10', to: '2024-04-08', leadsInRange: true },
];

describe.each(CASES)('$name: the dashboard agrees with the API', ({ client, from, to, leadsInRange }) => {
  const answer: Record<string, Json> = {};
  let panels: Map<string, PanelRun>;
  const rows = (title: string) => panels.get(title)!.result.rows;
  const row = (title: string) => {
    expect(rows(title), title).toHaveLength(1);
    return rows(title)[0]!;
  };

  beforeAll(async () => {
    const range = `from=${from}&to=${to}`;
    for (const endpoint of ['funnel', 'metrics', 'daily', 'hourly', 'heatmap', 'leads']) answer[endpoint] = await api(client, endpoint, range);
    answer.sessions = await api(client, 'sessions', `${range}&limit=100`);
    for (const [key, endpoint] of [['timeToConvert', 'time-to-convert'], ['handoffs', 'handoffs'], ['conversations', 'conversations'], ['leadSources', 'lead-sources']]) {
      answer[key!] = await api(client, endpoint!, range);
    }
    // The same local days picked in Grafana: it sends an inclusive `to`, the last millisecond before the API's end.
    panels = await runDashboard(client, { from: new Date(answer.funnel.from), to: new Date(new Date(answer.funnel.to).getTime() - 1) });
  });

  it('expands every panel to plain SQL that runs and has the columns its panel type needs', () => {
    expect(panels.size).toBe(16);
    for (const [title, { type, format, sql, result }] of panels) {
      expect(sql, title).not.toMatch(/\$__|\$\{|\[\[|--|\/\*/); // nothing left to expand, no comments
      const fields = result.fields;
      const numericFrom = (first: number) => fields.slice(first).filter((f) => !NUMERIC.has(f.dataTypeID)).map((f) => f.name);
      if (type === 'timeseries') {
        expect([format, fields[0]!.name], title).toEqual(['time_series', 'time']);
        expect([OID.timestamp, OID.timestamptz], title).toContain(fields[0]!.dataTypeID);
        expect(numericFrom(1), title).toEqual([]);
        const times = result.rows.map((r) => (r.time as Date).getTime());
        expect(times.every((t, i) => i === 0 || t > times[i - 1]!), `${title}: time strictly ascending`).toBe(true);
      } else if (type === 'stat' || type === 'bargauge') {
        expect([format, result.rows.length, numericFrom(0)], title).toEqual(['table', 1, []]);
      } else if (type === 'barchart') {
        expect([fields[0]!.name, fields[0]!.dataTypeID, numericFrom(1)], title).toEqual(['Hour', OID.text, []]);
        expect(result.rows.map((r) => r.Hour), title).toEqual(HOURS);
      } else if (title === TITLE.heatmap || title === TITLE.unanswered) {
        expect(fields.map((f) => f.name)).toEqual(['Day', ...HOURS]);
        expect(numericFrom(1)).toEqual([]);
        expect(result.rows.map((r) => r.Day)).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
      } else if (title === TITLE.timeToConvert) {
        expect(fields.map((f) => f.name)).toEqual(['Transition', 'Sessions', 'Median', 'p90', 'Mean']);
        expect(numericFrom(1)).toEqual([]);
        expect(result.rows).toHaveLength(5);
      } else if (title === TITLE.leadSources) {
        expect(fields.map((f) => f.name)).toEqual(['Source', 'Leads', 'Asked for a human']);
        expect(numericFrom(1)).toEqual([]);
      } else {
        expect(fields.map((f) => f.name)).toEqual(['Started', 'Session', 'Reached', 'Duration', 'Accepted', 'Callback']);
        expect(fields[0]!.dataTypeID).toBe(OID.timestamptz);
      }
    }
  });

  it('shows the funnel counts /funnel answers', () => {
    const { sessions, steps, actions } = answer.funnel;
    expect(row(TITLE.funnel)).toEqual({
      [COUNTER_LABELS.sessions]: sessions,
      ...Object.fromEntries(steps.map((s: Json) => [COUNTER_LABELS[s.step as 'pageLoaded'], s.count])),
      ...Object.fromEntries(actions.map((a: Json) => [COUNTER_LABELS[a.action as 'pressedAccept'], a.count])),
    });
  });

  it('shows the key rates and the session duration /metrics answers', () => {
    const { rates, duration } = answer.metrics;
    const names = Object.keys(RATES) as RateName[];
    expect(row(TITLE.rates)).toEqual(Object.fromEntries(names.map((name) => [RATE_LABELS[name], rates[name].value])));
    const shown = row(TITLE.duration);
    expect({ medianSeconds: roundMs(shown.Median), p90Seconds: roundMs(shown.p90), meanSeconds: roundMs(shown.Mean) }).toEqual({
      medianSeconds: duration.medianSeconds, p90Seconds: duration.p90Seconds, meanSeconds: duration.meanSeconds,
    });
  });

  it("plots every /daily day, zero-filled, at its local midnight with the day's counts", () => {
    const { days, timezone } = answer.daily;
    const expected = days.map((d: Json) => ({ time: localMidnight(d.date, timezone), ...counts(d, COUNTS) }));
    expect(expected.length).toBeGreaterThan(0);
    expect(rows(TITLE.daily)).toEqual(expected);
  });

  it('shows the 24 local hours /hourly answers', () => {
    const expected = answer.hourly.hours.map((h: Json) => ({ Hour: HOURS[h.hour], ...counts(h, ['sessions', ...FUNNEL_STEPS]) }));
    expect(rows(TITLE.hourly)).toEqual(expected);
  });

  it('shows the weekday × hour cells /heatmap answers', () => {
    const cells: Json[] = answer.heatmap.cells;
    const shown = rows(TITLE.heatmap).flatMap((r, i) => HOURS.map((h, hour) => ({ weekday: i + 1, hour, sessions: r[h] })));
    expect(shown).toEqual(cells);
  });

  it('lists the sessions /sessions?limit=100 lists, newest first', () => {
    const expected = answer.sessions.sessions.map((s: Json) => ({
      Started: new Date(s.startedAt), Session: s.sessionId, Reached: s.reachedStep, Duration: s.durationSeconds,
      Accepted: s.pressedAccept !== null, Callback: s.pressedCallback !== null,
    }));
    expect(rows(TITLE.sessions)).toEqual(expected);
  });

  it('shows the lead total, capture rate and lead days /leads answers', () => {
    const { total, captureRate, days } = answer.leads;
    expect(row(TITLE.leads).Leads).toBe(total);
    expect(row(TITLE.captureRate)).toEqual({ 'Capture rate': captureRate });
    const zone = answer.daily.timezone;
    const expected = days.map((d: Json) => ({ time: localMidnight(d.date, zone), Leads: d.leads }));
    expect(rows(TITLE.leadsDaily)).toEqual(expected);
  });

  it('shows the with-email and with-phone counts /leads answers', () => {
    const { withEmail, withPhone } = answer.leads;
    expect(row(TITLE.leads)).toMatchObject({ 'With email': withEmail, 'With phone': withPhone });
  });

  it('shows the time to convert /time-to-convert answers', () => {
    expect(rows(TITLE.timeToConvert).map((r) => [r.Sessions, roundMs(r.Median), roundMs(r.p90), roundMs(r.Mean)])).toEqual(
      answer.timeToConvert.transitions.map((t: Json) => [t.count, t.p50Seconds, t.p90Seconds, t.meanSeconds]),
    );
  });

  it('shows the handoff outcomes /handoffs answers (outcomes old enough not to be pending)', () => {
    const shown = row(TITLE.handoffs);
    expect(answer.handoffs.outcomes.map((o: Json) => shown[o.outcome[0].toUpperCase() + o.outcome.slice(1)])).toEqual(
      answer.handoffs.outcomes.map((o: Json) => o.count),
    );
  });

  it('shows containment, time to agent, lead sources and unanswered requests as their endpoints answer', () => {
    const { conversations, contained } = answer.conversations;
    expect(row(TITLE.containment).Containment).toBe(conversations === 0 ? null : contained / conversations);
    const agent = answer.handoffs.agent;
    expect([roundMs(row(TITLE.timeToAgent)['Median time to agent']), roundMs(row(TITLE.timeToAgent)['p90 time to agent'])])
      .toEqual([agent.timeToAgent.p50Seconds, agent.timeToAgent.p90Seconds]);
    expect(rows(TITLE.leadSources).map((r) => [r.Source, r.Leads, r['Asked for a human']])).toEqual(
      answer.leadSources.sources.map((s: Json) => [s.source, s.leads, s.requestedHuman]),
    );
    const unanswered = rows(TITLE.unanswered).flatMap((r, i) => HOURS.map((h, hour) => ({ weekday: i + 1, hour, unanswered: r[h] })));
    expect(unanswered).toEqual(agent.staffing.map((c: Json) => ({ weekday: c.weekday, hour: c.hour, unanswered: c.requested - c.answered })));
  });
});

describe('daily time axis on Sydney DST days', () => {
  it('puts 2024-04-07 at 2024-04-06T13:00Z (AEDT) and 2024-04-08 at 2024-04-07T14:00Z (AEST)', async () => {
    const panels = await runDashboard('sydney', { from: new Date('2024-04-05T13:00:00Z'), to: new Date('2024-04-08T13:59:59.999Z') });
    const times = panels.get(TITLE.daily)!.result.rows.map((r) => (r.time as Date).toISOString());
    expect(times).toEqual(['2024-04-05T13:00:00.000Z', '2024-04-06T13:00:00.000Z', '2024-04-07T14:00:00.000Z']);
  });
});

describe("the dashboard's own day ranges, which Grafana ends at 23:59:59.999 local (now/d rounds up)", () => {
  // Grafana's `to` is inclusive to the millisecond: a session at 23:59:59.999 on the last day counts.
  it('counts a session at 23:59:59.999 on the last day, as the API does for the same days', async () => {
    const panels = await runDashboard('sydney', { from: new Date('2024-04-05T13:00:00Z'), to: new Date('2024-04-08T13:59:59.999Z') });
    expect(panels.get(TITLE.funnel)!.result.rows[0]!.Sessions).toBe(9); // /funnel?from=2024-04-06&to=2024-04-08
  });
});

describe('the funnel definition as dashboard variables', () => {
  // The Sydney fixture: s11 opened the widget before the page loaded (ordered drops it), s01 accepted 3 minutes and
  // s06 continued 6 minutes after the page load (windows drop them).
  const range = 'from=2024-04-06&to=2024-04-08';
  it.each([
    { mode: 'ordered', window: 'none', query: 'mode=ordered' },
    { mode: 'any', window: 'PT2M', query: 'window=2m' },
    { mode: 'ordered', window: 'PT5M', query: 'mode=ordered&window=PT5M' },
  ])('with mode=$mode and window=$window the panels equal the API with $query', async ({ mode, window, query }) => {
    const funnel = await api('sydney', 'funnel', `${range}&${query}`);
    const daily = await api('sydney', 'daily', `${range}&${query}`);
    const hourly = await api('sydney', 'hourly', `${range}&${query}`);
    const plain = await api('sydney', 'funnel', range);
    const shape = (f: Json) => [...f.steps.map((s: Json) => s.count), ...f.actions.map((a: Json) => a.count)];
    expect(shape(funnel)).not.toEqual(shape(plain)); // the variables matter here
    const panels = await runDashboard('sydney', { from: new Date(funnel.from), to: new Date(new Date(funnel.to).getTime() - 1) }, { mode, window });
    const shown = panels.get(TITLE.funnel)!.result.rows[0]!;
    expect(shown).toEqual({
      [COUNTER_LABELS.sessions]: funnel.sessions,
      ...Object.fromEntries(funnel.steps.map((s: Json) => [COUNTER_LABELS[s.step as 'pageLoaded'], s.count])),
      ...Object.fromEntries(funnel.actions.map((a: Json) => [COUNTER_LABELS[a.action as 'pressedAccept'], a.count])),
    });
    expect(panels.get(TITLE.daily)!.result.rows).toEqual(daily.days.map((d: Json) => ({ time: localMidnight(d.date, daily.timezone), ...counts(d, COUNTS) })));
    expect(panels.get(TITLE.hourly)!.result.rows).toEqual(hourly.hours.map((h: Json) => ({ Hour: HOURS[h.hour], ...counts(h, ['sessions', ...FUNNEL_STEPS]) })));
  });
});
