import type { Rng } from './random.ts';

/**
 * Contact details for leads. What the chat says lives in ./dialogues (one file per kind of business) and is put
 * together by ./conversation.ts.
 */
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
