import type { Rng } from './random.ts';

/** Per-client traffic and behaviour, drawn once from the client's seed so each demo client looks different. */
export interface ClientProfile {
  sessionsPerDay: number;
  /** Weekend volume relative to a weekday. */
  weekendFactor: number;
  /** Relative volume change per day across the window (a gentle growth or decline). */
  trendPerDay: number;
  /** Standard deviation of the log of the day-to-day volume noise. */
  dailyNoise: number;
  /** Local hours (fractional) of the late-morning and evening peaks. */
  morningPeak: number;
  eveningPeak: number;
  eveningWeight: number;
  rates: {
    pageLoaded: number;
    widgetOpened: number;
    requestedHuman: number;
    /** Agent never picked up an accepted handoff. */
    missed: number;
    leadAfterAction: number;
    leadOther: number;
  };
  actions: readonly (readonly [HandoffAction, number])[];
  sources: readonly (readonly [string, number])[];
}

export type HandoffAction = 'accept' | 'callback' | 'continue' | 'none';

export function drawClientProfile(rng: Rng, sessionsPerDay?: number): ClientProfile {
  const accept = rng.uniform(0.42, 0.48);
  const callback = rng.uniform(0.22, 0.28);
  const cont = rng.uniform(0.16, 0.2);
  const jitter = (weight: number) => weight * rng.uniform(0.6, 1.4);
  return {
    sessionsPerDay: sessionsPerDay ?? Math.round(rng.uniform(150, 350)),
    weekendFactor: rng.uniform(0.55, 0.7),
    trendPerDay: rng.uniform(-0.002, 0.004),
    dailyNoise: rng.uniform(0.06, 0.12),
    morningPeak: rng.uniform(10.5, 12),
    eveningPeak: rng.uniform(19, 21),
    eveningWeight: rng.uniform(0.6, 0.9),
    rates: {
      pageLoaded: rng.uniform(0.93, 0.97),
      widgetOpened: rng.uniform(0.3, 0.4),
      requestedHuman: rng.uniform(0.25, 0.35),
      missed: rng.uniform(0.06, 0.14),
      leadAfterAction: rng.uniform(0.4, 0.6),
      leadOther: rng.uniform(0.02, 0.05),
    },
    actions: [
      ['accept', accept],
      ['callback', callback],
      ['continue', cont],
      ['none', Math.max(0.05, 1 - accept - callback - cont)],
    ],
    sources: [
      ['website', jitter(40)],
      ['google-ads', jitter(25)],
      ['facebook', jitter(15)],
      ['referral', jitter(12)],
      ['newsletter', jitter(8)],
    ],
  };
}

const bump = (x: number, centre: number, width: number) => Math.exp(-((x - centre) ** 2) / (2 * width * width));

/**
 * Relative session volume for each local hour 0–23: a quiet night, a late-morning peak, an afternoon plateau and an
 * evening peak. Weekends start later, so their morning peak moves an hour on.
 */
export function hourWeights(profile: ClientProfile, weekend: boolean): [number, number][] {
  const morning = profile.morningPeak + (weekend ? 1 : 0);
  return Array.from({ length: 24 }, (_, hour) => {
    const x = hour + 0.5;
    const weight =
      0.05 + bump(x, morning, 1.8) + 0.45 * bump(x, 15, 2.5) + profile.eveningWeight * bump(x, profile.eveningPeak, 2);
    return [hour, weight];
  });
}
