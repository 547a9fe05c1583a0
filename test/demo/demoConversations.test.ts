import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { JUST_LOOKING } from '../../src/demo/conversation.ts';
import { BUSINESSES, fill, voiceOf, type Business, type ClientVoice, type Exchange } from '../../src/demo/dialogues/index.ts';
import { generateDemoData, type ChatLogRow, type DemoClient } from '../../src/demo/generateDemoData.ts';

/**
 * The demo's chat transcripts are the first thing a prospective customer reads: every answer is the one written for
 * its question, in that client's trade (a dental clinic books appointments, an outdoor shop ships orders).
 */
const now = new Date('2026-11-18T03:30:00.000Z');
const registry = JSON.parse(readFileSync('config/clients.json', 'utf8')) as Record<string, DemoClient>;
const DEMO_CLIENTS = Object.values(registry);
/** Clients of the other trades, as a client added to the registry would be. */
const OTHERS: DemoClient[] = [
  { id: 'luigi', name: "Luigi's Trattoria", timezone: 'Europe/Rome' },
  { id: 'acme-cloud', name: 'Acme Cloud', domain: 'acme.io', timezone: 'America/New_York' },
  { id: 'harbour', name: 'Harbour & Co', timezone: 'Pacific/Auckland' },
];

const sessionsOf = (chat: ChatLogRow[]) => {
  const sessions = new Map<string, ChatLogRow[]>();
  for (const row of chat) sessions.set(row.sessionId, [...(sessions.get(row.sessionId) ?? []), row]);
  return [...sessions.values()];
};

/** Every line this client's bot, people and visitors may say, and for each question and answer its exchange. */
function linesOf(voice: ClientVoice) {
  const { business } = voice;
  const exchanges = [...business.topics, ...business.agentTopics].flatMap((dialogue) =>
    dialogue.map((exchange, step) => ({ exchange, dialogue, step })));
  const byAsk = new Map<string, (typeof exchanges)[number]>();
  const byAnswer = new Map<string, (typeof exchanges)[number]>();
  for (const entry of exchanges) {
    for (const ask of entry.exchange.asks) {
      expect(byAsk.has(fill(voice, ask)), `"${ask}" is asked in two places`).toBe(false);
      byAsk.set(fill(voice, ask), entry);
    }
    byAnswer.set(fill(voice, entry.exchange.answer), entry);
  }
  const other = [...business.greetings, ...business.agentOpeners, ...business.resumes, ...business.handoffs,
    business.handoffReply, ...business.closings, ...JUST_LOOKING].map((line) => fill(voice, line));
  return { byAsk, byAnswer, all: new Set([...byAsk.keys(), ...byAnswer.keys(), ...other]) };
}

/** The lines of every other trade that this one never says (shared ones such as "Great, thanks!" aside). */
function foreignLines(business: Business, voice: ClientVoice): string[] {
  const own = linesOf(voice).all;
  return BUSINESSES.filter((other) => other !== business)
    .flatMap((other) => [...linesOf({ ...voice, business: other }).all])
    .filter((line) => !own.has(line));
}

describe.each([...DEMO_CLIENTS, ...OTHERS])('demo conversations of $id', (client) => {
  const voice = voiceOf(client);
  const data = generateDemoData(client, { days: 14, now });
  const sessions = sessionsOf(data.chatLog);
  const { byAsk, byAnswer, all } = linesOf(voice);

  it('says only lines written for its business, never another trade\'s', () => {
    expect(sessions.length).toBeGreaterThan(100);
    const foreign = new Set(foreignLines(voice.business, voice));
    for (const row of data.chatLog) {
      expect(all.has(row.message), `"${row.message}" is not a ${voice.business.kind} line`).toBe(true);
      expect(foreign.has(row.message)).toBe(false);
    }
  });

  it('answers each question with the answer written for it, and asks follow-ups only after their topic', () => {
    let pairs = 0;
    for (const chat of sessions) {
      chat.forEach((row, i) => {
        const asked = row.role === 'user' ? byAsk.get(row.message) : undefined;
        const next = chat[i + 1];
        if (asked && next && next.role !== 'user') {
          expect(next.message).toBe(fill(voice, asked.exchange.answer));
          pairs++;
        }
        const answered = row.role !== 'user' ? byAnswer.get(row.message) : undefined;
        if (answered) {
          expect(answered.exchange.asks.map((ask) => fill(voice, ask))).toContain(chat[i - 1]?.message);
          if (answered.step > 0) {
            const before: Exchange = answered.dialogue[answered.step - 1]!;
            expect(chat[i - 2]?.message).toBe(fill(voice, before.answer));
          }
        }
      });
    }
    expect(pairs).toBeGreaterThan(100);
  });

  it('uses what each client is: its name in the greeting, its own agent, and the same words on every run', () => {
    const greetings = sessions.map((chat) => chat[0]!.message);
    expect(greetings.every((line) => line.includes(client.name ?? client.id))).toBe(true);
    const agentLines = data.chatLog.filter((row) => row.role === 'agent').map((row) => row.message);
    expect(agentLines.length).toBeGreaterThan(0);
    expect(agentLines.filter((line) => voice.business.agentOpeners.some((o) => fill(voice, o) === line))
      .every((line) => line.includes(voice.agent))).toBe(true);
    expect(generateDemoData(client, { days: 14, now }).chatLog).toEqual(data.chatLog);
  });
});

describe('which business a demo client is', () => {
  it('reads it from the name: the dental clinic books appointments, the outdoor shop ships orders', () => {
    expect(voiceOf(registry.maple!).business.kind).toBe('dental clinic');
    expect(voiceOf(registry.client2!).business.kind).toBe('outdoor shop');
    expect(OTHERS.map((client) => voiceOf(client).business.kind)).toEqual(['restaurant', 'software company', 'business']);
  });

  it('gives the dental clinic no delivery and the shop no appointments', () => {
    const maple = generateDemoData(registry.maple!, { days: 14, now }).chatLog.map((row) => row.message).join('\n');
    const shop = generateDemoData(registry.client2!, { days: 14, now }).chatLog.map((row) => row.message).join('\n');
    expect(maple).toContain('booked for Thursday at 3:15');
    expect(maple).not.toMatch(/deliver|order|shipping/i);
    expect(shop).toContain('Standard UK delivery takes 2–4 working days');
    expect(shop).not.toMatch(/appointment|health fund|dentist|Dr\./i);
  });

  it('gives two clients of one trade different conversations', () => {
    const one = generateDemoData({ id: 'maple', name: 'Maple Dental Clinic', timezone: 'Australia/Sydney' }, { days: 7, now });
    const two = generateDemoData({ id: 'birch', name: 'Birch Dental', timezone: 'Australia/Sydney' }, { days: 7, now });
    expect(two.chatLog.slice(0, 50).map((row) => row.message)).not.toEqual(one.chatLog.slice(0, 50).map((row) => row.message));
  });
});
