/** The funnel, in order. A session reaches step k when steps 1..k all have a timestamp. */
export const FUNNEL_STEPS = ['pageLoaded', 'widgetOpened', 'requestedHuman'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

/** What a visitor can do after asking for a human; counted only for sessions that reached `requestedHuman`. */
export const ACTIONS = ['pressedAccept', 'pressedCallback', 'pressedContinue'] as const;
export type Action = (typeof ACTIONS)[number];

/** Every per-session counter, in the order the API reports them. */
export const COUNTERS = [...FUNNEL_STEPS, ...ACTIONS] as const;
export type Counter = (typeof COUNTERS)[number];

export type Counts = { sessions: number } & Record<Counter, number>;
