import type { ClientConfig } from '../../../src/config/clients.ts';
import { generateDemoData } from '../../../src/demo/generateDemoData.ts';
import { createClientTables, insertDemoData } from '../../../src/demo/insertDemoData.ts';
import { buildTestApp, KEYS, testClient } from '../../helpers/buildTestApp.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';
import { loadSydneyFixture } from '../../fixtures/sydneyFixture.ts';
import { loadChatFixture } from '../../fixtures/chatFixture.ts';
import { loadHandoffFixture } from '../../fixtures/handoffFixture.ts';

/** The fixed clock of buildTestApp: 2024-04-08 12:00 in Sydney, 03:00 in London. */
export const NOW = new Date('2024-04-08T02:00:00Z');
const LOGO = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#b45309"/><text x="20" y="27" font-size="20" text-anchor="middle" fill="#fff" font-family="sans-serif">N</text></svg>')}`;

export type ClientKind =
  | 'alpha' // Sydney fixture: hand-checked numbers, with Leads (no source column), without ChatLog and AgentConnection
  | 'beta' // generated demo data in London, with its own branding and logo, ChatLog, AgentConnection and lead sources
  | 'handoff' // Sydney handoff fixture: hand-checked outcomes, time to convert and agent connections (6–8 April)
  | 'chat' // Sydney chat fixture: hand-checked conversations, lead sources and transcripts (1–2 May)
  | 'gamma' // Sydney fixture without a Leads table
  | 'down'; // a database that is not there

export interface World {
  base: string;
  db: TestDatabase;
  /** GET on the API as the operator: what the page must show. */
  api<T = any>(path: string): Promise<T>;
  apiText(path: string): Promise<string>;
  close(): Promise<void>;
}

function clientOf(kind: ClientKind, url: string): ClientConfig {
  if (kind === 'down') return testClient('down', 'Australia/Sydney', 'postgres://postgres@127.0.0.1:9/nowhere');
  if (kind !== 'beta') return testClient(kind, 'Australia/Sydney', url, kind);
  return {
    ...testClient('beta', 'Europe/London', url, 'beta'),
    name: 'Northwind Outdoor Shop',
    domain: 'northwind-outdoor.co.uk',
    branding: { primaryColor: '#b45309', logoUrl: LOGO },
  };
}

/** One test database holding each client in its own schema, and the real app listening on a free port. */
export async function startWorld(label: string, kinds: ClientKind[], options: { realisticVolume?: boolean } = {}): Promise<World> {
  const db = await createTestDatabase(`web_${label}`);
  // drop() ends this pool, then forces the database away; a connection still closing then gets 57P01: expected.
  if (kinds.includes('alpha')) await loadSydneyFixture(db.pool, 'alpha', 'timestamp');
  if (kinds.includes('gamma')) await loadSydneyFixture(db.pool, 'gamma', 'timestamp', false);
  if (kinds.includes('handoff')) await loadHandoffFixture(db.pool, 'handoff', 'timestamp');
  if (kinds.includes('chat')) await loadChatFixture(db.pool, 'chat', { kind: 'timestamp', chat: { role: 'role', text: 'message' }, leadSource: 'source' });
  if (kinds.includes('beta')) {
    const data = generateDemoData({ id: 'beta', timezone: 'Europe/London' }, { days: 100, now: NOW, ...(options.realisticVolume ? {} : { sessionsPerDay: 40 }) });
    await createClientTables(db.pool, 'beta');
    await insertDemoData(db.pool, 'beta', data);
  }
  const app = await buildTestApp(kinds.map((kind) => clientOf(kind, db.url)), {
    admin: KEYS.admin,
    clients: { alpha: KEYS.alpha, beta: KEYS.beta },
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base,
    db,
    async api(path) {
      return (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${KEYS.admin}` } })).json();
    },
    async apiText(path) {
      return (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${KEYS.admin}` } })).text();
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
