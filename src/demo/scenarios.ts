import type { ClientProfile } from './clientProfile.ts';

/**
 * Trouble written into a demo client's data, so the portfolio and the alerts have something to show on `npm start`:
 * a chatbot that went silent, a widget whose open rate fell after a "website change". Only the demo runtime asks for
 * them (`npm run seed` and the tests' generated data stay healthy).
 */
export interface DemoScenario {
  /** No session in the last this many hours before the history's anchor (its `now`), nor after it: it stays silent. */
  silentHours?: number;
  /** Over the anchor's last `days` local days (its today included) and every day after, the widget opens `factor` times as often. */
  widgetOpenDrop?: { days: number; factor: number };
}

/** The demo runtime's clients (config/clients.json): Northwind's chatbot went silent, Maple's widget lost half its opens. */
export const DEMO_SCENARIOS: Readonly<Record<string, DemoScenario>> = {
  client2: { silentHours: 26 },
  maple: { widgetOpenDrop: { days: 3, factor: 0.5 } },
};

/** The profile a day `daysBeforeToday` before the anchor's today follows (0: that day; negative: the days after it). */
export function profileOnDay(profile: ClientProfile, scenario: DemoScenario | undefined, daysBeforeToday: number): ClientProfile {
  const drop = scenario?.widgetOpenDrop;
  if (!drop || daysBeforeToday >= drop.days) return profile;
  return { ...profile, rates: { ...profile.rates, widgetOpened: profile.rates.widgetOpened * drop.factor } };
}

/** Whether a session starting at `start` falls in the scenario's silence (from `silentHours` before the anchor on). */
export function silenced(scenario: DemoScenario | undefined, start: number, anchor: number): boolean {
  return scenario?.silentHours !== undefined && start > anchor - scenario.silentHours * 3_600_000;
}
