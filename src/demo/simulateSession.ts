import type { ClientProfile } from './clientProfile.ts';
import { startConversation, wordStream, type ChatPhase } from './conversation.ts';
import { contactDetails } from './demoContent.ts';
import type { ClientVoice } from './dialogues/index.ts';
import type { AgentConnectionRow, ChatLogRow, ChatRole, LeadRow, UserEventRow } from './demoTypes.ts';
import type { Rng } from './random.ts';

/** One visitor's rows, before ids are assigned (ids depend on which sessions survive the `now` cut-off). */
export interface SimulatedSession {
  userEvent: Omit<UserEventRow, 'sessionId'>;
  chat: Omit<ChatLogRow, 'id' | 'sessionId'>[];
  agent: Omit<AgentConnectionRow, 'id' | 'sessionId'> | null;
  lead: Omit<LeadRow, 'id' | 'sessionId'> | null;
  /** Latest timestamp in any of the rows; the session is only kept when this is not in the future. */
  endsAt: number;
}

const SECOND = 1000;

/** Walks one session forward in time: page load → widget → chat → handoff request → action → agent → lead. */
export function simulateSession(rng: Rng, profile: ClientProfile, start: number, voice: ClientVoice): SimulatedSession {
  const { rates } = profile;
  const gap = (min: number, mean: number) => Math.round((min + rng.exponential(mean)) * SECOND);
  const chat: SimulatedSession['chat'] = [];
  let clock = start;
  const talk = startConversation(wordStream(rng.int(0, 2 ** 32 - 1)), voice);
  const say = (roles: [ChatRole, ChatRole], count: number, handoffAtEnd: boolean, phase: ChatPhase) => {
    const lines = talk.phase(phase, count, handoffAtEnd);
    for (let i = 0; i < count; i++) {
      const role = roles[i % 2] as ChatRole;
      clock += role === 'user' ? gap(3, 20) : gap(1, 2);
      chat.push({ createdAt: new Date(clock), role, message: lines[i]! });
    }
  };

  const pageLoaded = rng.bernoulli(rates.pageLoaded) ? start : null;
  const widgetOpened = pageLoaded !== null && rng.bernoulli(rates.widgetOpened) ? start + gap(3, 40) : null;
  let requestedHuman: number | null = null;
  let action: ClientProfile['actions'][number][0] | null = null;
  let actionAt: number | null = null;
  let agent: SimulatedSession['agent'] = null;

  if (widgetOpened !== null) {
    clock = widgetOpened;
    const messages = rng.int(2, 14);
    const wantsHuman = rng.bernoulli(rates.requestedHuman);
    action = wantsHuman ? rng.pickWeighted(profile.actions) : null;
    const missed = action === 'accept' && rng.bernoulli(rates.missed);
    // Accepted (and answered) or continued sessions keep chatting after the handoff decision.
    const chatsAfter = (action === 'accept' && !missed) || action === 'continue';
    const before = chatsAfter ? rng.int(2, Math.max(2, messages - 1)) : messages;
    say(['bot', 'user'], before, wantsHuman, 'bot');

    if (wantsHuman) {
      requestedHuman = clock + gap(2, 10);
      actionAt = action === 'none' ? null : requestedHuman + gap(2, 12);
      clock = actionAt ?? requestedHuman;
      let connectedAt: number | null = null;
      if (action === 'accept' && !missed) {
        connectedAt = clock + Math.round(rng.uniform(20, 120) * SECOND);
        clock = connectedAt;
        say(['agent', 'user'], messages - before, false, 'agent');
        clock += gap(30, 150); // "a few minutes after connect" in total
      } else if (action === 'continue') {
        say(['bot', 'user'], messages - before, false, 'resume');
      }
      const endedAt =
        action === 'accept' && missed
          ? clock + Math.round(rng.uniform(120, 300) * SECOND) // the request timed out unanswered
          : connectedAt !== null
            ? clock
            : clock + gap(5, 40);
      agent = {
        requestedAt: new Date(requestedHuman),
        connectedAt: connectedAt === null ? null : new Date(connectedAt),
        endedAt: new Date(endedAt),
        status: connectedAt !== null ? 'completed' : action === 'accept' ? 'missed' : 'abandoned',
      };
      clock = Math.max(clock, endedAt);
    }
  }

  const at = (a: ClientProfile['actions'][number][0]) => (action === a && actionAt !== null ? new Date(actionAt) : null);
  const steps = [pageLoaded, widgetOpened, requestedHuman, actionAt].filter((t): t is number => t !== null);
  const userEvent: SimulatedSession['userEvent'] = {
    pageLoaded: pageLoaded === null ? null : new Date(pageLoaded),
    widgetOpened: widgetOpened === null ? null : new Date(widgetOpened),
    requestedHuman: requestedHuman === null ? null : new Date(requestedHuman),
    pressedAccept: at('accept'),
    pressedCallback: at('callback'),
    pressedContinue: at('continue'),
    createdAt: new Date(start),
    updatedAt: new Date(Math.max(start, ...steps)),
  };

  const gaveContact =
    action === 'accept' || action === 'callback'
      ? rng.bernoulli(rates.leadAfterAction)
      : widgetOpened !== null && rng.bernoulli(rates.leadOther);
  const lead: SimulatedSession['lead'] = gaveContact
    ? {
        createdAt: new Date((actionAt ?? clock) + gap(5, 45)),
        ...contactDetails(rng),
        source: rng.pickWeighted(profile.sources),
      }
    : null;

  const endsAt = Math.max(clock, userEvent.updatedAt.getTime(), lead?.createdAt.getTime() ?? 0);
  return { userEvent, chat, agent, lead, endsAt };
}
