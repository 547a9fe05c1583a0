import type { ChatRole } from './demoTypes.ts';
import type { Rng } from './random.ts';

/** Short, plausible chat lines and contact details; only the shape matters to the analytics. */
const GREETINGS = ['Hi! How can I help you today?', 'Hello 👋 What can I do for you?', 'Welcome! Ask me anything.'];
const USER_LINES = [
  'What are your opening hours?',
  'How much does the basic plan cost?',
  'Do you deliver on weekends?',
  'Can I change my booking?',
  'Is there a free trial?',
  'Where can I find my invoice?',
  'Do you have parking nearby?',
  'How long does shipping take?',
  'thanks',
  'ok, and for two people?',
  'Can I pay by card?',
  'That helps, thank you!',
];
const BOT_LINES = [
  'We are open 9am to 6pm, Monday to Saturday.',
  'The basic plan starts at $29 a month.',
  'Yes, weekend delivery is available in most areas.',
  'You can change a booking from your account page.',
  'Sure — there is a 14-day free trial.',
  'Invoices are under Account → Billing.',
  'Anything else I can help with?',
  'Here is a link with more details.',
];
const HANDOFF_LINES = ['Can I talk to a real person?', 'I would like to speak to someone', 'agent please'];
const AGENT_LINES = [
  'Hi, this is Sam from the team. How can I help?',
  'Let me check that for you.',
  'I have updated that for you now.',
  'Is there anything else I can do?',
  'Thanks for waiting!',
];

/** Text for one message: a greeting opens each phase, a handoff request ends the bot phase when asked for. */
export function chatText(rng: Rng, role: ChatRole, first: boolean, handoff: boolean): string {
  if (role === 'user') return rng.pick(handoff ? HANDOFF_LINES : USER_LINES);
  if (role === 'agent') return first ? (AGENT_LINES[0] as string) : rng.pick(AGENT_LINES.slice(1));
  return first ? rng.pick(GREETINGS) : rng.pick(BOT_LINES);
}

const FIRST = ['Olivia', 'Liam', 'Amelia', 'Noah', 'Isla', 'Jack', 'Mia', 'Leo', 'Ava', 'Oscar', 'Chloe', 'Lucas'];
const LAST = ['Smith', 'Jones', 'Williams', 'Brown', 'Wilson', 'Taylor', 'Nguyen', 'Martin', 'Patel', 'Walker'];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'example.com'];

export interface Contact {
  name: string | null;
  email: string | null;
  phone: string | null;
}

/** ~5 % without a name, ~15 % without an email, ~30 % without a phone, like real forms. */
export function contactDetails(rng: Rng): Contact {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const digits = () => String(rng.int(0, 9999)).padStart(4, '0');
  return {
    name: rng.bernoulli(0.95) ? `${first} ${last}` : null,
    email: rng.bernoulli(0.85) ? `${first}.${last}${rng.int(1, 99)}@${rng.pick(DOMAINS)}`.toLowerCase() : null,
    phone: rng.bernoulli(0.7) ? `+1 555 ${digits()} ${digits()}` : null,
  };
}
