/**
 * What one kind of business's chatbot says. A question and its answer are written together (an `Exchange`) and
 * always appear together; a `Dialogue` is one topic, its follow-ups in order. `{name}` is the client's name and
 * `{agent}` the first name of the person who takes a handoff, both filled in per client.
 */
export interface Exchange {
  /** Ways a visitor asks it: any one of them, answered by `answer`. */
  asks: readonly string[];
  answer: string;
}

export type Dialogue = readonly Exchange[];

export interface Business {
  kind: string;
  /** Matched against the client's name, domain and id ("Maple Dental Clinic" is a dental clinic). */
  match: RegExp;
  /** The bot's first line. */
  greetings: readonly string[];
  /** What visitors ask the bot. */
  topics: readonly Dialogue[];
  /** A visitor asking for a person (the last line before the handoff buttons), and the bot's reply when it has one. */
  handoffs: readonly string[];
  handoffReply: string;
  /** The person's first line after taking the handoff, then what visitors ask them. */
  agentOpeners: readonly string[];
  agentTopics: readonly Dialogue[];
  /** The bot's first line when the visitor chose to keep chatting with it instead. */
  resumes: readonly string[];
  /** A visitor's last line when they leave without another question. */
  closings: readonly string[];
  /** First names of the people who answer handoffs; each client gets one. */
  agents: readonly string[];
}

/** One exchange with a single phrasing. */
export const ask = (question: string | readonly string[], answer: string): Exchange =>
  ({ asks: typeof question === 'string' ? [question] : question, answer });
