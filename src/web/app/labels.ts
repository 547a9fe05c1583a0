import type { Action, FunnelStep } from '../../analytics/steps.ts';

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

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export const labelOf = (labels: Record<string, string>, name: string) => labels[name] ?? name;
export const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
