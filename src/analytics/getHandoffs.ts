import type { Queryable } from '../db/queryable.ts';
import { countChange, rateChange, secondsChange, type Change } from './compare.ts';
import { InvalidParameterError } from './errors.ts';
import { parseWindow } from './funnelOptions.ts';
import { getAgentConnections, type AgentStats } from './getAgentConnections.ts';
import { boundValues, runQuery, type MetricQuery } from './query.ts';
import { anchor, BOUND_PARAMS, counterCondition, DEFAULT_FUNNEL, inRange, instant, rate, type FunnelSql, type SqlParams } from './sql.ts';
import { userEventsOf, type ClientSource } from '../tenants/clientSource.ts';
import { ACTIONS, type Action } from './steps.ts';

/** What became of a request for a human: the first action within `abandonAfter`, or none (yet). */
export const ACTION_OUTCOMES = { pressedAccept: 'accepted', pressedCallback: 'callback', pressedContinue: 'continued' } as const satisfies Record<Action, string>;
export const OUTCOMES = [...ACTIONS.map((a) => ACTION_OUTCOMES[a]), 'abandoned', 'pending'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Handoff SQL also needs how long a visitor may take to act, and the instant "now" is (`$5`, `$6`). */
export interface HandoffParams extends SqlParams {
  /** An interval expression. */
  abandonAfter: string;
  /** A timestamptz expression. */
  now: string;
}
export const HANDOFF_PARAMS: HandoffParams = { ...BOUND_PARAMS, abandonAfter: '$5::interval', now: '$6::timestamptz' };

export interface HandoffOptions {
  abandonAfterSeconds: number;
  now: Date;
}

export interface Handoffs {
  abandonAfterSeconds: number;
  /** Sessions in the range that reached `requestedHuman` (with the requested funnel mode and window). */
  handoffs: number;
  /** Every outcome in `OUTCOMES` order; `share` is of `handoffs`. */
  outcomes: { outcome: Outcome; count: number; share: number | null }[];
  agent: AgentStats;
}

export const DEFAULT_ABANDON_AFTER = '10m';

/** `abandonAfter` as seconds (same syntax and limit as the funnel `window`), default 10 minutes. */
export function parseAbandonAfter(value: string | undefined): number {
  try {
    return parseWindow(value || DEFAULT_ABANDON_AFTER);
  } catch (error) {
    if (!(error instanceof InvalidParameterError)) throw error;
    throw new InvalidParameterError('abandonAfter', error.message.slice(error.field.length + 2));
  }
}

/**
 * Sessions that reached `requestedHuman`, per outcome: the earliest action at or after the request (ties in
 * `ACTIONS` order) if it came within `abandonAfter`; else `pending` while that time has not yet passed at `now`;
 * else `abandoned`. Actions before the request are ignored.
 */
export function handoffOutcomesSql(source: ClientSource, p: HandoffParams = HANDOFF_PARAMS, funnel: FunnelSql = DEFAULT_FUNNEL): string {
  const userEvents = userEventsOf(source);
  const requested = instant(userEvents, 'requestedHuman');
  const actions = ACTIONS.map((action, i) => `('${ACTION_OUTCOMES[action]}', ${i}, ${instant(userEvents, action)})`);
  const deadline = `${requested} + ${p.abandonAfter}`;
  return `SELECT CASE WHEN a."at" <= ${deadline} THEN a."outcome"
            WHEN ${deadline} > ${p.now} THEN 'pending'
            ELSE 'abandoned' END AS "outcome",
       count(*) AS "count"
  FROM ${userEvents.ref}
  LEFT JOIN LATERAL (SELECT v."outcome", v."at"
                       FROM (VALUES ${actions.join(', ')}) AS v("outcome", "rank", "at")
                      WHERE v."at" >= ${requested}
                      ORDER BY v."at", v."rank"
                      LIMIT 1) AS a ON true
 WHERE ${inRange(anchor(userEvents), p)}
   AND ${counterCondition(userEvents, 'requestedHuman', funnel, p)}
 GROUP BY 1`;
}

export async function getHandoffs(db: Queryable, source: ClientSource, q: MetricQuery, options: HandoffOptions): Promise<Handoffs> {
  const [outcomes, agent] = await Promise.all([getHandoffOutcomes(db, source, q, options), getAgentConnections(db, source, q)]);
  return { ...outcomes, agent };
}

/** The handoffs and their outcomes alone (one query; the portfolio needs no agent statistics). */
export async function getHandoffOutcomes(db: Queryable, source: ClientSource, q: MetricQuery, options: HandoffOptions): Promise<Omit<Handoffs, 'agent'>> {
  const values = boundValues(q, `${options.abandonAfterSeconds} seconds`, options.now.toISOString());
  const rows = await runQuery<{ outcome: Outcome; count: number }>(db, handoffOutcomesSql(source, HANDOFF_PARAMS, q.funnel), values);
  const counts = new Map(rows.map((row) => [row.outcome, row.count]));
  const handoffs = rows.reduce((sum, row) => sum + row.count, 0);
  return {
    abandonAfterSeconds: options.abandonAfterSeconds,
    handoffs,
    outcomes: OUTCOMES.map((outcome) => {
      const count = counts.get(outcome) ?? 0;
      return { outcome, count, share: rate(count, handoffs) };
    }),
  };
}

/** Outcome counts and shares; with `AgentConnection` in both periods, never-connected share and time-to-agent p50. */
export function handoffChanges(current: Handoffs, previous: Handoffs): Change[] {
  const changes = [
    countChange('handoffs', current.handoffs, previous.handoffs),
    ...current.outcomes.flatMap((now, i) => {
      const then = previous.outcomes[i]!;
      return [
        countChange(`outcomes.${now.outcome}.count`, now.count, then.count),
        rateChange(`outcomes.${now.outcome}.share`, { value: now.share, of: current.handoffs }, { value: then.share, of: previous.handoffs }),
      ];
    }),
  ];
  const [now, then] = [current.agent, previous.agent];
  if (!now.available || !then.available) return changes;
  return [
    ...changes,
    rateChange('agent.neverConnected.share', { value: now.neverConnected.share, of: now.requested }, { value: then.neverConnected.share, of: then.requested }),
    secondsChange('agent.timeToAgent.p50Seconds', { value: now.timeToAgent.p50Seconds, of: now.timeToAgent.count }, { value: then.timeToAgent.p50Seconds, of: then.timeToAgent.count }),
  ];
}
