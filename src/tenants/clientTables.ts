import { quoteIdent, tableRef } from '../db/identifiers.ts';

/**
 * The chatbot's own tables, as its Prisma schema creates them (quoted camelCase, `timestamp(3)` holding UTC).
 * `npm run seed` and the embedded demo create them from this; the Grafana dashboards assume this layout.
 * Analytics never assumes the optional tables exist: it reads the real layout from the database.
 */
export const CLIENT_TABLES = ['UserEvents', 'Leads', 'ChatLog', 'AgentConnection'] as const;
export type ClientTable = (typeof CLIENT_TABLES)[number];

type ColumnType = 'TEXT' | 'TIMESTAMP(3)';
interface Column {
  name: string;
  type: ColumnType;
  notNull?: boolean;
  primaryKey?: boolean;
  defaultNow?: boolean;
}

const ts = (name: string, extra: Partial<Column> = {}): Column => ({ name, type: 'TIMESTAMP(3)', ...extra });
const text = (name: string, extra: Partial<Column> = {}): Column => ({ name, type: 'TEXT', ...extra });
const id = (name: string) => text(name, { primaryKey: true });
const now = { notNull: true, defaultNow: true };

export const CLIENT_LAYOUT: Record<ClientTable, Column[]> = {
  UserEvents: [
    id('sessionId'), ts('pageLoaded'), ts('widgetOpened'), ts('requestedHuman'),
    ts('pressedAccept'), ts('pressedCallback'), ts('pressedContinue'), ts('createdAt', now), ts('updatedAt', now),
  ],
  Leads: [id('id'), text('sessionId'), ts('createdAt', now), text('name'), text('email'), text('phone'), text('source')],
  ChatLog: [id('id'), text('sessionId', { notNull: true }), ts('createdAt', now), text('role', { notNull: true }), text('message', { notNull: true })],
  AgentConnection: [
    id('id'), text('sessionId', { notNull: true }), ts('requestedAt', { notNull: true }), ts('connectedAt'), ts('endedAt'),
    text('status', { notNull: true }),
  ],
};

function columnSql(column: Column): string {
  return [
    quoteIdent(column.name),
    column.type,
    column.primaryKey ? 'PRIMARY KEY' : '',
    column.notNull ? 'NOT NULL' : '',
    column.defaultNow ? 'DEFAULT CURRENT_TIMESTAMP' : '',
  ].filter(Boolean).join(' ');
}

export function createClientTablesSql(schema: string): string[] {
  return CLIENT_TABLES.map(
    (table) => `CREATE TABLE IF NOT EXISTS ${tableRef(schema, table)} (\n  ${CLIENT_LAYOUT[table].map(columnSql).join(',\n  ')}\n)`,
  );
}
