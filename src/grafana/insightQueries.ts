import { agentConnectionsOf, agentConnectionsSql, staffingSql } from '../analytics/getAgentConnections.ts';
import { conversationsSql } from '../analytics/getConversations.ts';
import { DEFAULT_ABANDON_AFTER, handoffOutcomesSql, OUTCOMES, parseAbandonAfter } from '../analytics/getHandoffs.ts';
import { leadSourcesSql } from '../analytics/getLeadSources.ts';
import { TRANSITIONS, timeToConvertSql } from '../analytics/getTimeToConvert.ts';
import { chatLogOf } from '../analytics/chatColumns.ts';
import { leadSourceColumn } from '../analytics/optionalColumns.ts';
import type { ClientSource } from '../tenants/clientSource.ts';
import type { SqlParams } from '../analytics/sql.ts';
import { COUNTER_LABELS, sqlLiteral, type PanelQuery } from './panelQueries.ts';

/**
 * The chatbot-specific panels (time to convert, handoffs, conversations, lead sources, staffing), built from the
 * same SQL as their API endpoints. A panel whose optional table the layout lacks is left out.
 */
const table = (rawSql: string): PanelQuery => ({ rawSql, format: 'table' });
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const capitalise = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}`;

export function insightQueries(source: ClientSource, p: SqlParams) {
  const transitions = TRANSITIONS.map((t, i) =>
    `(${sqlLiteral(t.key)}, ${i}, ${sqlLiteral(`${COUNTER_LABELS[t.from]} → ${COUNTER_LABELS[t.to]}`)})`).join(', ');
  // Grafana has no request to read `abandonAfter` from: the API's default, and the database's clock for "pending".
  const handoffParams = { ...p, abandonAfter: `interval '${parseAbandonAfter(DEFAULT_ABANDON_AFTER)} seconds'`, now: 'now()' };
  const queries: Record<string, PanelQuery> = {
    timeToConvert: table(`SELECT k.label AS "Transition", COALESCE(t."count", 0) AS "Sessions",
       t."p50Seconds" AS "Median", t."p90Seconds" AS "p90", t."meanSeconds" AS "Mean"
  FROM (VALUES ${transitions}) AS k(key, position, label)
  LEFT JOIN (${timeToConvertSql(source, p)}) AS t ON t."transition" = k.key
 ORDER BY k.position`),
    handoffs: table(`SELECT ${OUTCOMES.map((o) => `COALESCE(sum(h."count") FILTER (WHERE h."outcome" = '${o}'), 0) AS "${capitalise(o)}"`).join(', ')}
  FROM (${handoffOutcomesSql(source, handoffParams)}) AS h`),
  };
  const chat = chatLogOf(source);
  if (chat.available) {
    queries.containment = table(`SELECT c."contained"::float8 / NULLIF(c."conversations", 0) AS "Containment"
  FROM (${conversationsSql(source, chat, p)}) AS c`);
  }
  const leads = source.tables.Leads;
  const column = leads ? leadSourceColumn(leads) : null;
  if (leads && column) {
    queries.leadSources = table(`SELECT s."source" AS "Source", s."leads" AS "Leads", s."requestedHuman" AS "Asked for a human"
  FROM (${leadSourcesSql(source, leads, column, p)}) AS s`);
  }
  const agent = agentConnectionsOf(source);
  if ('table' in agent) {
    queries.timeToAgent = table(`SELECT a."waitP50Seconds" AS "Median time to agent", a."waitP90Seconds" AS "p90 time to agent"
  FROM (${agentConnectionsSql(agent.table, p)}) AS a`);
    queries.unanswered = table(`SELECT (ARRAY[${WEEKDAYS.map(sqlLiteral).join(', ')}])[w.weekday] AS "Day",
       ${Array.from({ length: 24 }, (_, h) => `COALESCE(sum(c."requested" - c."answered") FILTER (WHERE c."hour" = ${h}), 0) AS "${String(h).padStart(2, '0')}"`).join(', ')}
  FROM generate_series(1, 7) AS w(weekday)
  LEFT JOIN (${staffingSql(agent.table, p)}) AS c ON c."weekday" = w.weekday
 GROUP BY w.weekday
 ORDER BY w.weekday`);
  }
  return queries;
}
