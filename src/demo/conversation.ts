import { fill, type ClientVoice, type Dialogue } from './dialogues/index.ts';
import { mulberry32, type Rng } from './random.ts';

/** Who speaks first in a stretch of chat: the bot, the person who took the handoff, or the bot again after it. */
export type ChatPhase = 'bot' | 'agent' | 'resume';

export interface Conversation {
  /**
   * `count` lines, the speaker's first and then the visitor's and the speaker's in turn. Questions and their answers
   * come as the units they were written in, follow-ups after their topic; a stretch that ends on the visitor ends
   * with a request for a person when `handoffAtEnd`, else with a thank-you.
   */
  phase(kind: ChatPhase, count: number, handoffAtEnd: boolean): string[];
}

/**
 * A session's own stream for its words, seeded with one draw of the session's: what is said never shifts when or
 * how much is said. (Lighter than `Rng.fork`, which builds a whole generator: there is one per demo session.)
 */
export function wordStream(seed: number): Pick<Rng, 'pick'> {
  const next = mulberry32(seed);
  return { pick: (items) => items[Math.floor(next() * items.length)]! };
}

/** Fits every business. */
export const JUST_LOOKING = ['Just having a look, thanks.', 'No thanks, I am fine for now.'];

/** One session's chat for this client; topics are not repeated within a session while fresh ones remain. */
export function startConversation(rng: Pick<Rng, 'pick'>, voice: ClientVoice): Conversation {
  const { business } = voice;
  const used = new Set<Dialogue>();
  const nextTopic = (topics: readonly Dialogue[]) => {
    const fresh = topics.filter((topic) => !used.has(topic));
    const topic = rng.pick(fresh.length > 0 ? fresh : topics);
    used.add(topic);
    return topic;
  };

  return {
    phase(kind, count, handoffAtEnd) {
      const openers = kind === 'agent' ? business.agentOpeners : kind === 'resume' ? business.resumes : business.greetings;
      const topics = kind === 'agent' ? business.agentTopics : business.topics;
      const lines = [rng.pick(openers)];
      let topic: Dialogue = [];
      let step = 0;
      // lines.length is odd here: the next line is the visitor's.
      while (lines.length < count) {
        const left = count - lines.length;
        if (left === 1) {
          // Leaving without having asked the bot anything is "just looking", not a thank-you for nothing.
          const closings = kind === 'bot' && lines.length === 1 ? JUST_LOOKING : business.closings;
          lines.push(rng.pick(handoffAtEnd ? business.handoffs : closings));
        } else if (left === 2 && handoffAtEnd) {
          lines.push(rng.pick(business.handoffs), business.handoffReply);
        } else {
          if (step >= topic.length) {
            topic = nextTopic(topics);
            step = 0;
          }
          const exchange = topic[step++]!;
          lines.push(rng.pick(exchange.asks), exchange.answer);
        }
      }
      return lines.slice(0, count).map((line) => fill(voice, line));
    },
  };
}
