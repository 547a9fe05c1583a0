import type { ChatRole } from '../../analytics/chatColumns.ts';
import type { Outcome } from '../../analytics/getHandoffs.ts';
import type { Action, Counter, FunnelStep } from '../../analytics/steps.ts';

/** Words for the API's step and action names (the names and their order come from the API's answers). */
export const STEP_LABELS: Record<FunnelStep, string> = {
  pageLoaded: 'Page load',
  widgetOpened: 'Widget open',
  requestedHuman: 'Human request',
};

export const ACTION_LABELS: Record<Action, string> = {
  pressedAccept: 'Accept',
  pressedCallback: 'Callback',
  pressedContinue: 'Continue with bot',
};

/** Any step or action, e.g. in a time-to-convert transition or a session's timeline. */
export const COUNTER_LABELS: Record<Counter, string> = { ...STEP_LABELS, ...ACTION_LABELS };

export const OUTCOME_LABELS: Record<Outcome, string> = {
  accepted: 'Accepted',
  callback: 'Callback',
  continued: 'Continued with bot',
  abandoned: 'Abandoned',
  pending: 'Pending',
};

export const ROLE_LABELS: Record<ChatRole, string> = { user: 'Visitor', bot: 'Bot', agent: 'Agent', other: 'Other' };
/** The API's roles in its own order (the record above lists each one; a new role breaks the type check). */
export const CHAT_ROLES = Object.keys(ROLE_LABELS) as ChatRole[];

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export const labelOf = (labels: Record<string, string>, name: string) => labels[name] ?? name;
export const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
