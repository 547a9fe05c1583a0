import { hashString } from '../random.ts';
import { ANY_BUSINESS } from './anyBusiness.ts';
import type { Business } from './business.ts';
import { DENTAL_CLINIC } from './dentalClinic.ts';
import { OUTDOOR_SHOP } from './outdoorShop.ts';
import { RESTAURANT } from './restaurant.ts';
import { SOFTWARE } from './software.ts';

export type { Business, Dialogue, Exchange } from './business.ts';

/** The most specific first: a "clinic shop" is a clinic; a "pizza shop" a restaurant. */
export const BUSINESSES: readonly Business[] = [DENTAL_CLINIC, RESTAURANT, SOFTWARE, OUTDOOR_SHOP, ANY_BUSINESS];

export interface DemoTalker {
  id: string;
  name?: string;
  domain?: string | null;
}

/** What this client's bot talks about, and as whom: from its name, domain and id; its agent from its id. */
export interface ClientVoice {
  business: Business;
  name: string;
  agent: string;
}

export function voiceOf(client: DemoTalker): ClientVoice {
  const text = [client.name, client.domain, client.id].filter(Boolean).join(' ');
  const business = BUSINESSES.find((candidate) => candidate.match.test(text)) ?? ANY_BUSINESS;
  const agent = business.agents[hashString(`demo/${client.id}/agent`) % business.agents.length] as string;
  return { business, name: client.name ?? client.id, agent };
}

const filled = new WeakMap<ClientVoice, Map<string, string>>();

/** A line with the client's name and agent filled in (each line once per client: demo start-up makes ~40 000). */
export function fill(voice: ClientVoice, line: string): string {
  let lines = filled.get(voice);
  if (!lines) filled.set(voice, (lines = new Map()));
  let text = lines.get(line);
  if (text === undefined) lines.set(line, (text = line.replaceAll('{name}', voice.name).replaceAll('{agent}', voice.agent)));
  return text;
}
