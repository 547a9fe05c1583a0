import { agentConnectionsOf, agentConnectionsSql, staffingSql } from '../analytics/getAgentConnections.ts';
import { conversationsSql } from '../analytics/getConversations.ts';
import { DEFAULT_ABANDON_AFTER, handoffOutcomesSql, OUTCOMES, parseAbandonAfter } from '../analytics/getHandoffs.ts';
import { leadSourcesSql } from '../analytics/getLeadSources.ts';
import { TRANSITIONS, timeToConvertSql } from '../analytics/getTimeToConvert.ts';
import { chatLogOf } from '../analytics/chatColumns.ts';
import { isTimestamp, LEAD_SOURCE_COLUMNS, leadSourceColumn } from '../analytics/optionalColumns.ts';
import { RUN_TIME_FUNNEL, type SqlParams } from '../analytics/sql.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import { COUNTER_LABELS, missing, sqlLiteral, table, weekdayHourTable, type Slot } from './sqlText.ts';

/**
 * The chatbot-specific panels (time to convert, handoffs, conversations, lead sources, staffing), built from the
 * same SQL as their API endpoints; a panel whose optional table or column the database lacks says what enables it.
 */
const capitalise = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}`;
const columns = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');

export function insightQueries(source: ClientSource, p: SqlParams): Record<'timeToConvert' | 'handoffs' | 'containment' | 'timeToAgent' | 'leadSources' | 'unanswered', Slot> {
  const transitions = TRANSITIONS.map((t, i) =>
    `(${sqlLiteral(t.key)}, ${i}, ${sqlLiteral(`${COUNTER_LABELS[t.from]} → ${COUNTER_LABELS[t.to]}`)})`).join(', ');
  // Grafana has no request to read `abandonAfter` from: the API's default, and the database's clock for "pending".
  const handoffParams = { ...p, abandonAfter: `interval '${parseAbandonAfter(DEFAULT_ABANDON_AFTER)} seconds'`, now: 'now()' };

  const chat = chatLogOf(source);
  const leads = source.tables.Leads;
  const sourceColumn = leads ? leadSourceColumn(leads) : null;
  const agent = agentConnectionsOf(source);
  const noAgent = missing('an `AgentConnection` table with `requestedAt` and `connectedAt` timestamps', 'reason' in agent ? agent.reason : '');

  return {
    timeToConvert: table(`SELECT k.label AS "Transition", COALESCE(t."count", 0) AS "Sessions",
       t."p50Seconds" AS "Median", t."p90Seconds" AS "p90", t."meanSeconds" AS "Mean"
  FROM (VALUES ${transitions}) AS k(key, position, label)
  LEFT JOIN (${timeToConvertSql(source, p)}) AS t ON t."transition" = k.key
 ORDER BY k.position`),
    handoffs: table(`SELECT ${OUTCOMES.map((o) => `COALESCE(sum(h."count") FILTER (WHERE h."outcome" = '${o}'), 0) AS "${capitalise(o)}"`).join(', ')}
  FROM (${handoffOutcomesSql(source, handoffParams, RUN_TIME_FUNNEL)}) AS h`),
    containment: chat.available
      ? table(`SELECT c."contained"::float8 / NULLIF(c."conversations", 0) AS "Containment"
  FROM (${conversationsSql(source, chat, p, RUN_TIME_FUNNEL)}) AS c`)
      : missing('a `ChatLog` table with `sessionId`, a `createdAt` timestamp and a sender column', chat.available ? '' : chat.reason),
    leadSources: leads && sourceColumn && isTimestamp(leads, 'createdAt')
      ? table(`SELECT s."source" AS "Source", s."leads" AS "Leads", s."requestedHuman" AS "Asked for a human"
  FROM (${leadSourcesSql(source, leads, sourceColumn, p, RUN_TIME_FUNNEL)}) AS s`)
      : missing(`a \`Leads\` table with a \`createdAt\` timestamp and a source column (one of ${columns(LEAD_SOURCE_COLUMNS)})`,
        !leads ? 'The client database has no "Leads" table' : sourceColumn ? '"Leads" has no "createdAt" timestamp column' : '"Leads" has no source column'),
    timeToAgent: 'table' in agent
      ? table(`SELECT a."waitP50Seconds" AS "Median time to agent", a."waitP90Seconds" AS "p90 time to agent"
  FROM (${agentConnectionsSql(agent.table, p)}) AS a`)
      : noAgent,
    unanswered: 'table' in agent ? table(weekdayHourTable(staffingSql(agent.table, p), 'c."requested" - c."answered"')) : noAgent,
  };
}
