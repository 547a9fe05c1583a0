import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSource } from '../../src/tenants/clientSource.ts';
import { resolveRange } from '../../src/analytics/range.ts';
import { metricQuery, type MetricQuery } from '../../src/analytics/query.ts';
import { getHandoffs, handoffChanges, parseAbandonAfter, type Handoffs } from '../../src/analytics/getHandoffs.ts';
import { InvalidParameterError } from '../../src/analytics/errors.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { loadHandoffFixture } from '../fixtures/handoffFixture.ts';

const SYDNEY = 'Australia/Sydney';
const APRIL_RANGE = resolveRange({ from: '2024-04-06', to: '2024-04-08' }, SYDNEY);
const APRIL = metricQuery(APRIL_RANGE);
const NOW = new Date('2024-04-08T02:00:00Z');
const TEN_MINUTES = { abandonAfterSeconds: 600, now: NOW };
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('handoffs');
  await loadHandoffFixture(database.pool, 'ts', 'timestamp');
  await loadHandoffFixture(database.pool, 'tstz', 'timestamptz');
  await loadHandoffFixture(database.pool, 'no_agent', 'timestamp', { agentConnection: false });
  await loadHandoffFixture(database.pool, 'no_connected', 'timestamp', { withoutAgentColumns: ['connectedAt'] });
  await loadHandoffFixture(database.pool, 'no_ended', 'timestamptz', { withoutAgentColumns: ['endedAt'] });
}, 60_000);
afterAll(async () => {
  await database?.drop();
});

const handoffs = async (schema: string, q: MetricQuery = APRIL, options = TEN_MINUTES) =>
  getHandoffs(database.pool, await describeSource(database.pool, schema), q, options);
const outcomeCounts = (h: Handoffs) => Object.fromEntries(h.outcomes.map((o) => [o.outcome, o.count]));

describe.each([['timestamp(3) holding UTC', 'ts'], ['timestamptz', 'tstz']])('handoff outcomes on %s', (_label, schema) => {
  it('takes the earliest action at or after the request within 10 minutes; later ones are abandoned, recent ones pending', async () => {
    const h = await handoffs(schema);
    // t01 accept +120 s, t03 accept at exactly +600 s (after an ignored earlier continue), t09 accept/continue tie
    // t02 callback +180 s before its accept +300 s; t06 continue +30 s; t04 accept +780 s and t08 nothing: abandoned
    // t07 asked at 01:55Z, five minutes before now: pending
    expect(h.abandonAfterSeconds).toBe(600);
    expect(h.handoffs).toBe(8);
    expect(h.outcomes).toEqual([
      { outcome: 'accepted', count: 3, share: 3 / 8 },
      { outcome: 'callback', count: 1, share: 1 / 8 },
      { outcome: 'continued', count: 1, share: 1 / 8 },
      { outcome: 'abandoned', count: 2, share: 2 / 8 },
      { outcome: 'pending', count: 1, share: 1 / 8 },
    ]);
  });

  it('abandons more with a shorter abandonAfter, and nothing is pending once it has passed', async () => {
    // 2 minutes: t01 (+120 s, inclusive) and t09 still accepted, t06 continued; t02, t03, t04, t07, t08 abandoned
    expect(outcomeCounts(await handoffs(schema, APRIL, { abandonAfterSeconds: 120, now: NOW }))).toEqual({
      accepted: 2, callback: 0, continued: 1, abandoned: 5, pending: 0,
    });
  });

  it('summarises agent connections requested in the range', async () => {
    const { agent } = await handoffs(schema);
    if (!agent.available) throw new Error('expected agent statistics');
    // a1..a6 and a8 (a7 is before the range); a4 and a5 never connected
    expect(agent).toMatchObject({ requested: 7, connected: 5, neverConnected: { count: 2, share: 2 / 7 } });
    // waits 30, 45, 90, 600 s (a8 connected before its request: no wait time)
    expect(agent.timeToAgent).toEqual({ count: 4, p50Seconds: 67.5, p90Seconds: 447, meanSeconds: 191.25 });
    // 120, 300, 600, 1200 s (a3 has not ended)
    expect(agent.connectionDuration).toEqual({ count: 4, p50Seconds: 450, p90Seconds: 1020, meanSeconds: 555 });
  });

  it('puts both 02:3x requests of the repeated DST hour in Sunday 02:00 of the staffing view', async () => {
    const { agent } = await handoffs(schema);
    if (!agent.available) throw new Error('expected agent statistics');
    expect(agent.staffing).toHaveLength(168);
    expect(agent.staffing.filter((c) => c.requested > 0)).toEqual([
      { weekday: 1, hour: 8, requested: 1, answered: 1 },
      { weekday: 1, hour: 10, requested: 1, answered: 1 },
      { weekday: 1, hour: 11, requested: 1, answered: 0 },
      { weekday: 6, hour: 11, requested: 1, answered: 1 },
      { weekday: 6, hour: 12, requested: 1, answered: 1 },
      { weekday: 7, hour: 2, requested: 2, answered: 1 },
    ]);
  });
});

describe('handoffs and the funnel definition', () => {
  it('mode=ordered drops the session whose widget opened before its page load', async () => {
    const h = await handoffs('ts', metricQuery(APRIL_RANGE, { mode: 'ordered', windowSeconds: null }));
    expect(h.handoffs).toBe(7);
    expect(outcomeCounts(h)).toEqual({ accepted: 3, callback: 1, continued: 0, abandoned: 2, pending: 1 });
  });

  it('window drops a request made later than that after the page load', async () => {
    // t07 asked 5 minutes after its page load
    const h = await handoffs('ts', metricQuery(APRIL_RANGE, { mode: 'any', windowSeconds: 240 }));
    expect(outcomeCounts(h)).toEqual({ accepted: 3, callback: 1, continued: 1, abandoned: 2, pending: 0 });
  });

  it('compares outcome counts and shares and the time-to-agent p50 with another period', async () => {
    // 2024-04-03..05 holds t12 (accepted 30 s after asking) and a7 (connected after 5 s)
    const previous = await handoffs('ts', metricQuery(resolveRange({ from: '2024-04-03', to: '2024-04-05' }, SYDNEY)));
    expect(outcomeCounts(previous)).toEqual({ accepted: 1, callback: 0, continued: 0, abandoned: 0, pending: 0 });
    const changes = handoffChanges(await handoffs('ts'), previous);
    const find = (metric: string) => changes.find((c) => c.metric === metric);
    expect(find('handoffs')).toMatchObject({ current: 8, previous: 1, change: 7 });
    expect(find('outcomes.accepted.count')).toMatchObject({ current: 3, previous: 1, change: 2, relativeChange: 2 });
    expect(find('outcomes.accepted.share')).toMatchObject({ kind: 'rate', current: 0.375, previous: 1, percentagePoints: -62.5, smallSample: true });
    expect(find('agent.neverConnected.share')).toMatchObject({ current: 2 / 7, previous: 0 });
    expect(find('agent.timeToAgent.p50Seconds')).toMatchObject({ kind: 'seconds', current: 67.5, previous: 5, change: 62.5 });
  });
});

describe('handoffs without a usable AgentConnection table', () => {
  it('says the agent figures are not available when the table is missing, and still answers the outcomes', async () => {
    const h = await handoffs('no_agent');
    expect(h.handoffs).toBe(8);
    expect(h.agent).toEqual({ available: false, reason: 'The client database has no "AgentConnection" table' });
    expect(handoffChanges(h, h).some((c) => c.metric.startsWith('agent.'))).toBe(false);
  });

  it('names a missing connectedAt column', async () => {
    expect((await handoffs('no_connected')).agent).toEqual({
      available: false, reason: '"AgentConnection" has no timestamp column(s): connectedAt',
    });
  });

  it('leaves out only the connection duration without endedAt', async () => {
    const { agent } = await handoffs('no_ended');
    expect(agent).toMatchObject({ available: true, requested: 7, connectionDuration: null, timeToAgent: { count: 4, p50Seconds: 67.5 } });
  });
});

describe('abandonAfter', () => {
  it('defaults to 10 minutes and reads the funnel window syntax', () => {
    expect(parseAbandonAfter(undefined)).toBe(600);
    expect(parseAbandonAfter('')).toBe(600);
    expect(parseAbandonAfter('90s')).toBe(90);
    expect(parseAbandonAfter('PT2H')).toBe(7200);
  });

  it.each(['soon', '0m', '31d'])('rejects %s naming abandonAfter', (value) => {
    expect(() => parseAbandonAfter(value)).toThrow(InvalidParameterError);
    expect(() => parseAbandonAfter(value)).toThrow(/^abandonAfter: /);
  });
});
