import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { generateDemoData, type DemoData } from '../../src/demo/generateDemoData.ts';

const now = new Date('2026-11-18T03:30:00.000Z');
const maple = { id: 'maple', timezone: 'Australia/Sydney' };
const client2 = { id: 'client2', timezone: 'Europe/London' };
const mapleData = generateDemoData(maple, { days: 60, now });
const client2Data = generateDemoData(client2, { days: 60, now });

const localStarts = (data: DemoData, zone: string) =>
  data.userEvents.map((row) => DateTime.fromJSDate(row.createdAt, { zone }));

function allTimestamps(data: DemoData): Date[] {
  const rows = [...data.userEvents, ...data.leads, ...data.chatLog, ...data.agentConnections];
  return rows.flatMap((row) => Object.values(row).filter((value): value is Date => value instanceof Date));
}

describe('generateDemoData', () => {
  it('returns identical data for the same client id, days and now', () => {
    expect(generateDemoData(maple, { days: 60, now })).toEqual(mapleData);
  });

  it('gives different clients different traffic', () => {
    expect(client2Data.userEvents.length).not.toBe(mapleData.userEvents.length);
    const sameZone = generateDemoData({ id: 'other', timezone: maple.timezone }, { days: 60, now });
    expect(sameZone.userEvents.length).not.toBe(mapleData.userEvents.length);
    expect(sameZone.userEvents[0]?.createdAt).not.toEqual(mapleData.userEvents[0]?.createdAt);
  });

  it('honours an explicit sessionsPerDay', () => {
    const small = generateDemoData(maple, { days: 14, now, sessionsPerDay: 20 });
    const perDay = small.userEvents.length / 14;
    expect(perDay).toBeGreaterThan(10);
    expect(perDay).toBeLessThan(25);
  });

  it('writes no timestamp after now and covers the requested local days', () => {
    for (const data of [mapleData, client2Data]) {
      const latest = Math.max(...allTimestamps(data).map((d) => d.getTime()));
      expect(latest).toBeLessThanOrEqual(now.getTime());
    }
    const days = new Set(localStarts(mapleData, maple.timezone).map((d) => d.toISODate()));
    expect(days.size).toBe(60);
    expect(days.has(DateTime.fromJSDate(now, { zone: maple.timezone }).toISODate())).toBe(true);
  });

  it('keeps the funnel monotone with steps in time order and updatedAt at the latest step', () => {
    const broken = mapleData.userEvents.filter((row) => {
      const actions = [row.pressedAccept, row.pressedCallback, row.pressedContinue].filter((d) => d !== null);
      const steps = [row.pageLoaded, row.widgetOpened, row.requestedHuman, ...actions];
      const times = steps.filter((d) => d !== null).map((d) => d.getTime());
      return (
        (row.widgetOpened && !row.pageLoaded) ||
        (row.requestedHuman && !row.widgetOpened) ||
        actions.length > (row.requestedHuman ? 1 : 0) ||
        times.some((t, i) => i > 0 && t < (times[i - 1] ?? 0)) ||
        (row.pageLoaded && row.pageLoaded.getTime() !== row.createdAt.getTime()) ||
        row.updatedAt.getTime() !== Math.max(row.createdAt.getTime(), ...times)
      );
    });
    expect(broken).toEqual([]);
  });

  it('produces funnel rates in the intended ranges', () => {
    const rows = mapleData.userEvents;
    const count = (pick: (r: (typeof rows)[number]) => Date | null) => rows.filter((r) => pick(r) !== null).length;
    const loaded = count((r) => r.pageLoaded);
    const opened = count((r) => r.widgetOpened);
    const human = count((r) => r.requestedHuman);
    expect(loaded / rows.length).toBeGreaterThan(0.92);
    expect(loaded / rows.length).toBeLessThan(0.98);
    expect(opened / loaded).toBeGreaterThan(0.28);
    expect(opened / loaded).toBeLessThan(0.42);
    expect(human / opened).toBeGreaterThan(0.23);
    expect(human / opened).toBeLessThan(0.37);
    expect(count((r) => r.pressedAccept) / human).toBeGreaterThan(0.38);
    expect(count((r) => r.pressedAccept) / human).toBeLessThan(0.52);
  });

  it('makes weekends lighter than weekdays in local time', () => {
    for (const [data, zone] of [[mapleData, maple.timezone], [client2Data, client2.timezone]] as const) {
      const perDay = new Map<string, { n: number; weekend: boolean }>();
      for (const start of localStarts(data, zone)) {
        const key = start.toISODate() ?? '';
        const day = perDay.get(key) ?? { n: 0, weekend: start.weekday >= 6 };
        day.n++;
        perDay.set(key, day);
      }
      const today = DateTime.fromJSDate(now, { zone }).toISODate();
      const full = [...perDay.entries()].filter(([key]) => key !== today).map(([, day]) => day);
      const mean = (days: typeof full) => days.reduce((sum, d) => sum + d.n, 0) / days.length;
      const ratio = mean(full.filter((d) => d.weekend)) / mean(full.filter((d) => !d.weekend));
      expect(ratio).toBeGreaterThan(0.45);
      expect(ratio).toBeLessThan(0.8);
    }
  });

  it('follows a local daily rhythm: nights 1–4 h far quieter than 10–13 h', () => {
    for (const [data, zone] of [[mapleData, maple.timezone], [client2Data, client2.timezone]] as const) {
      const hours = localStarts(data, zone).map((d) => d.hour);
      const night = hours.filter((h) => h >= 1 && h < 4).length;
      const lateMorning = hours.filter((h) => h >= 10 && h < 13).length;
      expect(night * 5).toBeLessThan(lateMorning);
    }
  });

  it('links leads, chat messages and agent connections to existing sessions', () => {
    for (const data of [mapleData, client2Data]) {
      const sessions = new Map(data.userEvents.map((row) => [row.sessionId, row]));
      expect(sessions.size).toBe(data.userEvents.length);
      expect(data.leads.filter((lead) => !sessions.has(lead.sessionId ?? ''))).toEqual([]);
      expect(data.chatLog.filter((m) => !sessions.get(m.sessionId)?.widgetOpened)).toEqual([]);
      const badAgents = data.agentConnections.filter((agent) => {
        const session = sessions.get(agent.sessionId);
        return (
          session?.requestedHuman?.getTime() !== agent.requestedAt.getTime() ||
          (agent.connectedAt !== null && session.pressedAccept === null) ||
          (agent.status === 'completed') !== (agent.connectedAt !== null)
        );
      });
      expect(badAgents).toEqual([]);
      expect(data.agentConnections.length).toBe(data.userEvents.filter((row) => row.requestedHuman).length);
    }
  });

  it('writes chat messages in increasing time, agent lines only after an answered handoff', () => {
    const bySession = new Map<string, DemoData['chatLog']>();
    for (const message of mapleData.chatLog) {
      bySession.set(message.sessionId, [...(bySession.get(message.sessionId) ?? []), message]);
    }
    const answered = new Set(mapleData.agentConnections.filter((a) => a.connectedAt).map((a) => a.sessionId));
    const broken = [...bySession].filter(([sessionId, messages]) => {
      const times = messages.map((m) => m.createdAt.getTime());
      return (
        messages.length < 2 ||
        messages.length > 14 ||
        times.some((t, i) => i > 0 && t <= (times[i - 1] ?? 0)) ||
        (messages.some((m) => m.role === 'agent') && !answered.has(sessionId))
      );
    });
    expect(broken).toEqual([]);
    expect(mapleData.chatLog.some((m) => m.role === 'agent')).toBe(true);
  });

  it('leaves some lead contact fields empty, as real forms do', () => {
    const share = (pick: (l: DemoData['leads'][number]) => string | null) =>
      mapleData.leads.filter((l) => pick(l) === null).length / mapleData.leads.length;
    expect(share((l) => l.email)).toBeGreaterThan(0.08);
    expect(share((l) => l.email)).toBeLessThan(0.25);
    expect(share((l) => l.phone)).toBeGreaterThan(0.2);
    expect(share((l) => l.phone)).toBeLessThan(0.4);
  });
});
