import { tableRef } from './identifiers.ts';

/**
 * The chatbot's own tables, as its Prisma schema creates them (quoted camelCase, `timestamp(3)` holding UTC).
 * Used by `npm run seed` and the embedded demo; analytics never assumes the optional tables exist.
 */
export const CLIENT_TABLES = ['UserEvents', 'Leads', 'ChatLog', 'AgentConnection'] as const;
export type ClientTable = (typeof CLIENT_TABLES)[number];

export function createClientTablesSql(schema: string): string[] {
  const t = (name: ClientTable) => tableRef(schema, name);
  return [
    `CREATE TABLE IF NOT EXISTS ${t('UserEvents')} (
      "sessionId" TEXT PRIMARY KEY,
      "pageLoaded" TIMESTAMP(3),
      "widgetOpened" TIMESTAMP(3),
      "requestedHuman" TIMESTAMP(3),
      "pressedAccept" TIMESTAMP(3),
      "pressedCallback" TIMESTAMP(3),
      "pressedContinue" TIMESTAMP(3),
      "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
    )`,
    `CREATE TABLE IF NOT EXISTS ${t('Leads')} (
      "id" TEXT PRIMARY KEY,
      "sessionId" TEXT,
      "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "name" TEXT,
      "email" TEXT,
      "phone" TEXT,
      "source" TEXT
    )`,
    `CREATE TABLE IF NOT EXISTS ${t('ChatLog')} (
      "id" TEXT PRIMARY KEY,
      "sessionId" TEXT NOT NULL,
      "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "role" TEXT NOT NULL,
      "message" TEXT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${t('AgentConnection')} (
      "id" TEXT PRIMARY KEY,
      "sessionId" TEXT NOT NULL,
      "requestedAt" TIMESTAMP(3) NOT NULL,
      "connectedAt" TIMESTAMP(3),
      "endedAt" TIMESTAMP(3),
      "status" TEXT NOT NULL
    )`,
  ];
}
