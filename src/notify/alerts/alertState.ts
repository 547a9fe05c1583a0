import type { RuleName } from './ruleSettings.ts';

export type AlertState = 'ok' | 'pending' | 'firing' | 'resolved';
export const ALERT_STATES: readonly AlertState[] = ['ok', 'pending', 'firing', 'resolved'];

/** One client's alert for one rule: its state and what was last sent about it (a row of `notify.alerts`). */
export interface AlertRecord {
  id: number | null;
  clientId: string;
  rule: RuleName;
  state: AlertState;
  since: Date;
  failingStreak: number;
  episode: number;
  title: string;
  facts: Record<string, string | number | boolean | null>;
  evaluatedAt: Date;
  notifiedState: 'firing' | 'resolved' | null;
  notifiedAt: Date | null;
  notifiedCount: number;
}

/**
 * What one evaluation found: `failing` beyond the firing threshold; `holding` not failing but not past the margin
 * that resolves it; `clear` past that margin; `unknown` not evaluated (its database is down, outside business hours);
 * `off` the rule is disabled or not applicable.
 */
export type Verdict = 'failing' | 'holding' | 'clear' | 'unknown' | 'off';

export interface Outcome {
  verdict: Verdict;
  title: string;
  facts: AlertRecord['facts'];
}

export const FAILING_EVALUATIONS_TO_FIRE = 2;

export function newRecord(clientId: string, rule: RuleName, now: Date): AlertRecord {
  return {
    id: null, clientId, rule, state: 'ok', since: now, failingStreak: 0, episode: 0, title: '', facts: {}, evaluatedAt: now,
    notifiedState: null, notifiedAt: null, notifiedCount: 0,
  };
}

/**
 * ok → pending on a failing evaluation; pending → firing on the second in a row (and once failing for `forSeconds`),
 * back to ok on any other; firing stays while failing or holding and resolves once clear; resolved → ok once no
 * resolved notification is owed. A pure function of the record, the outcome and the clock.
 */
export function nextState(current: AlertRecord, outcome: Outcome, now: Date, forSeconds = 0): AlertRecord {
  const { verdict } = outcome;
  if (verdict === 'unknown') return { ...current, evaluatedAt: now };
  const seen = { ...current, title: outcome.title, facts: outcome.facts, evaluatedAt: now };
  const to = (state: AlertState, changes: Partial<AlertRecord> = {}): AlertRecord =>
    ({ ...seen, ...changes, state, since: state === current.state ? current.since : now });
  const streak = verdict === 'failing' ? current.failingStreak + 1 : 0;
  if (verdict === 'off') return to('ok', { failingStreak: 0 });

  switch (current.state) {
    case 'ok':
    case 'resolved': {
      if (verdict === 'failing') return to('pending', { failingStreak: 1 });
      const owed = current.state === 'resolved' && current.notifiedState === 'firing';
      return to(owed ? 'resolved' : 'ok', { failingStreak: 0 });
    }
    case 'pending': {
      if (verdict !== 'failing') return to('ok', { failingStreak: 0 });
      const longEnough = now.getTime() - current.since.getTime() >= forSeconds * 1000;
      if (streak >= FAILING_EVALUATIONS_TO_FIRE && longEnough) {
        return to('firing', { failingStreak: streak, episode: current.episode + 1, notifiedState: null, notifiedAt: null, notifiedCount: 0 });
      }
      return to('pending', { failingStreak: streak });
    }
    case 'firing':
      return verdict === 'clear' ? to('resolved', { failingStreak: 0 }) : to('firing', { failingStreak: streak });
  }
}
