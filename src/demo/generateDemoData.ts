import { DateTime } from 'luxon';
import { drawClientProfile, hourWeights } from './clientProfile.ts';
import type { DemoClient, DemoData } from './demoTypes.ts';
import { createRng } from './random.ts';
import { simulateSession } from './simulateSession.ts';

export type { AgentConnectionRow, ChatLogRow, DemoClient, DemoData, LeadRow, UserEventRow } from './demoTypes.ts';

export interface GenerateOptions {
  /** Local calendar days, today (partial, up to `now`) included. */
  days: number;
  /** Average sessions on a weekday; by default 150–350, drawn from the client id. */
  sessionsPerDay?: number;
  now?: Date;
}

/**
 * Synthetic chatbot traffic for one client, deterministic for a given client id, options and `now`.
 * Volume follows the client's local clock (quiet nights, late-morning and evening peaks, lighter weekends) with a
 * gentle trend and day-to-day noise. Sessions whose last event would lie after `now` are left out, so no row is in
 * the future.
 */
export function generateDemoData(client: DemoClient, opts: GenerateOptions): DemoData {
  const now = (opts.now ?? new Date()).getTime();
  const seed = `demo/${client.id}`;
  const profile = drawClientProfile(createRng(`${seed}/profile`), opts.sessionsPerDay);
  const today = DateTime.fromMillis(now, { zone: client.timezone }).startOf('day');
  if (!today.isValid) throw new Error(`Unknown time zone "${client.timezone}" for client "${client.id}"`);

  const data: DemoData = { userEvents: [], leads: [], chatLog: [], agentConnections: [] };
  const id = (prefix: string, n: number) => `${prefix}_${client.id}_${String(n).padStart(6, '0')}`;
  const middle = (opts.days - 1) / 2;

  for (let index = 0; index < opts.days; index++) {
    const day = today.minus({ days: opts.days - 1 - index });
    // A stream per local date: each day's sessions don't shift when another day's draws change.
    const rng = createRng(`${seed}/day/${day.toISODate()}`);
    const weekend = day.weekday >= 6;
    const volume =
      profile.sessionsPerDay *
      (weekend ? profile.weekendFactor : 1) *
      Math.max(0.3, 1 + profile.trendPerDay * (index - middle)) *
      Math.exp(profile.dailyNoise * rng.normal());
    const hours = hourWeights(profile, weekend);

    const starts: number[] = [];
    for (let i = Math.round(volume); i > 0; i--) {
      const local = DateTime.fromObject(
        {
          year: day.year,
          month: day.month,
          day: day.day,
          hour: rng.pickWeighted(hours),
          minute: rng.int(0, 59),
          second: rng.int(0, 59),
          millisecond: rng.int(0, 999),
        },
        { zone: client.timezone },
      );
      starts.push(local.toMillis()); // luxon moves a time inside a DST gap forward, as a real clock would
    }
    starts.sort((a, b) => a - b);

    for (const start of starts) {
      if (start > now) break;
      const session = simulateSession(rng, profile, start);
      if (session.endsAt > now) continue; // still in progress at `now`: not shown, rather than half-written
      const sessionId = id('s', data.userEvents.length + 1);
      data.userEvents.push({ sessionId, ...session.userEvent });
      for (const message of session.chat) {
        data.chatLog.push({ id: id('m', data.chatLog.length + 1), sessionId, ...message });
      }
      if (session.agent) {
        data.agentConnections.push({ id: id('a', data.agentConnections.length + 1), sessionId, ...session.agent });
      }
      if (session.lead) data.leads.push({ id: id('l', data.leads.length + 1), sessionId, ...session.lead });
    }
  }
  return data;
}
