import { DateTime } from 'luxon';
import { drawClientProfile, hourWeights } from './clientProfile.ts';
import type { DemoClient, DemoData } from './demoTypes.ts';
import { createRng } from './random.ts';
import { simulateSession } from './simulateSession.ts';
import { profileOnDay, silenced, type DemoScenario } from './scenarios.ts';
import { voiceOf } from './dialogues/index.ts';

export type { AgentConnectionRow, ChatLogRow, DemoClient, DemoData, LeadRow, UserEventRow } from './demoTypes.ts';

export interface GenerateOptions {
  /** Local calendar days, today (partial, up to `now`) included. */
  days: number;
  /** Average sessions on a weekday; by default 150–350, drawn from the client id. */
  sessionsPerDay?: number;
  now?: Date;
  /** Trouble to write into the data (the demo runtime's silent chatbot and widget drop); none by default. */
  scenario?: DemoScenario;
  /**
   * The moment the history is shaped from (default `now`): its first day (`days` before it), its trend and its
   * scenarios' windows. The live demo keeps its start-up moment here while `now` moves on, so later days continue the
   * same history (the silent chatbot stays silent, the widget drop goes on) and earlier rows never change.
   */
  anchor?: Date;
  /** Only sessions that end after this moment (the live demo's append since its last one); all by default. */
  since?: Date;
}

/** A session that ends this long after its day is over is still looked for (sessions run minutes, not a day). */
const SESSION_SPILL_MS = 86_400_000;

/**
 * Synthetic chatbot traffic for one client, deterministic for a given client id, options and `now`.
 * Volume follows the client's local clock (quiet nights, late-morning and evening peaks, lighter weekends) with a
 * gentle trend and day-to-day noise. Sessions whose last event would lie after `now` are left out, so no row is in
 * the future. Ids follow each session's place among its history's drawn starts, so a later `now` (same `anchor`)
 * gives the same rows with the same ids plus the sessions that ended since: the live demo appends exactly those.
 */
export function generateDemoData(client: DemoClient, opts: GenerateOptions): DemoData {
  const now = (opts.now ?? new Date()).getTime();
  const anchor = opts.anchor?.getTime() ?? now;
  const since = opts.since?.getTime() ?? -Infinity;
  const seed = `demo/${client.id}`;
  const profile = drawClientProfile(createRng(`${seed}/profile`), opts.sessionsPerDay);
  const voice = voiceOf(client); // what its chat talks about: its business, by name
  const today = DateTime.fromMillis(anchor, { zone: client.timezone }).startOf('day');
  if (!today.isValid) throw new Error(`Unknown time zone "${client.timezone}" for client "${client.id}"`);
  const lastDay = DateTime.fromMillis(Math.max(now, anchor), { zone: client.timezone }).startOf('day');

  const data: DemoData = { userEvents: [], leads: [], chatLog: [], agentConnections: [] };
  const id = (prefix: string, n: number, part?: number) =>
    `${prefix}_${client.id}_${String(n).padStart(6, '0')}${part === undefined ? '' : `_${String(part).padStart(3, '0')}`}`;
  const middle = (opts.days - 1) / 2;
  let drawn = 0; // starts drawn on earlier days: the base of this day's session numbers

  for (let index = 0; ; index++) {
    const day = today.minus({ days: opts.days - 1 - index });
    if (day > lastDay) break;
    // A stream per local date: each day's sessions don't shift when another day's draws change.
    const rng = createRng(`${seed}/day/${day.toISODate()}`);
    const weekend = day.weekday >= 6;
    const volume =
      profile.sessionsPerDay *
      (weekend ? profile.weekendFactor : 1) *
      Math.max(0.3, 1 + profile.trendPerDay * (index - middle)) *
      Math.exp(profile.dailyNoise * rng.normal());
    const base = drawn;
    drawn += Math.round(volume);
    if (day.plus({ days: 1 }).toMillis() + SESSION_SPILL_MS <= since) continue; // every session ended before `since`
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

    const dayProfile = profileOnDay(profile, opts.scenario, opts.days - 1 - index);
    for (const [position, start] of starts.entries()) {
      if (start > now) break;
      if (silenced(opts.scenario, start, anchor)) continue;
      const session = simulateSession(rng, dayProfile, start, voice);
      if (session.endsAt > now) continue; // still in progress at `now`: not shown, rather than half-written
      if (session.endsAt <= since) continue; // shown already
      const n = base + position + 1;
      const sessionId = id('s', n);
      data.userEvents.push({ sessionId, ...session.userEvent });
      session.chat.forEach((message, k) => data.chatLog.push({ id: id('m', n, k + 1), sessionId, ...message }));
      if (session.agent) data.agentConnections.push({ id: id('a', n), sessionId, ...session.agent });
      if (session.lead) data.leads.push({ id: id('l', n), sessionId, ...session.lead });
    }
  }
  return data;
}
