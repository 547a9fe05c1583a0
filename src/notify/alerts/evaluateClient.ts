import type { ClientConfig } from '../../config/clients.ts';
import type { AnswerDeps } from '../../answers/answerMetric.ts';
import { ClientDatabaseError } from '../../tenants/connections/databaseErrors.ts';
import type { Outcome } from './alertState.ts';
import { withinBusinessHours } from './businessHours.ts';
import { evaluateKpiDrop } from './rules/kpiDrop.ts';
import { evaluateNoData } from './rules/noData.ts';
import { ruleContext, type RuleContext } from './rules/ruleContext.ts';
import { evaluateUnansweredHandoffs } from './rules/unansweredHandoffs.ts';
import { RULES, type AlertSettings, type KpiRule, type RuleName } from './ruleSettings.ts';

/** Failures that mean the database cannot be reached (or used) at all; a busy one is merely not judged this round. */
const UNREACHABLE = new Set(['DATABASE_UNAVAILABLE', 'PERMISSION_DENIED', 'QUERY_TIMEOUT']);

const unknown = (title = ''): Outcome => ({ verdict: 'unknown', title, facts: {} });

function dataRule(ctx: RuleContext, rule: Exclude<RuleName, 'database-unreachable'>, settings: AlertSettings): Promise<Outcome> {
  const r = settings.rules;
  if (rule === 'no-data') return evaluateNoData(ctx, r['no-data']);
  if (rule === 'unanswered-handoffs') return evaluateUnansweredHandoffs(ctx, r['unanswered-handoffs']);
  return evaluateKpiDrop(ctx, rule, r[rule as KpiRule]);
}

export interface ClientOutcomes {
  outcomes: Map<RuleName, Outcome>;
  /** How its database failed the round (`ClientDatabaseError.failure`), or null. */
  failure: string | null;
}

/**
 * Every rule's outcome for one client. It never throws: a database that cannot be reached is the
 * `database-unreachable` rule's failure (and every other rule is not judged); a rule whose query fails is not judged.
 */
export async function evaluateClient(
  deps: AnswerDeps, client: ClientConfig, settings: AlertSettings, now: Date,
): Promise<ClientOutcomes> {
  const outcomes = new Map<RuleName, Outcome>();
  const active = (rule: RuleName) => settings.rules[rule].enabled &&
    (!settings.rules[rule].businessHoursOnly || withinBusinessHours(settings.businessHours, client.timezone, now));
  for (const rule of RULES) if (!settings.rules[rule].enabled) outcomes.set(rule, { verdict: 'off', title: '', facts: {} });

  let failure: string | null = null;
  try {
    await deps.databases.forClient(client.id).query('SELECT 1');
  } catch (error) {
    failure = error instanceof ClientDatabaseError ? error.failure : 'DATABASE_UNAVAILABLE';
  }
  if (failure === 'DATABASE_NOT_CONFIGURED') {
    for (const rule of RULES) outcomes.set(rule, { verdict: 'off', title: '', facts: {} });
    return { outcomes, failure };
  }
  const down = failure !== null && UNREACHABLE.has(failure);
  if (active('database-unreachable')) {
    outcomes.set('database-unreachable', {
      verdict: down ? 'failing' : failure ? 'unknown' : 'clear',
      title: `${client.name}: its database cannot be reached`,
      facts: { failure },
    });
  }
  const ctx = ruleContext(deps, client, now);
  await Promise.all(RULES.filter((rule) => rule !== 'database-unreachable').map(async (rule) => {
    if (!settings.rules[rule].enabled) return;
    if (failure || !active(rule)) return void outcomes.set(rule, unknown());
    try {
      outcomes.set(rule, await dataRule(ctx, rule, settings));
    } catch (error) {
      const code = error instanceof ClientDatabaseError ? error.failure : (error as { code?: string }).code;
      deps.log.warn({ clientId: client.id, rule, code }, 'alert rule could not be evaluated');
      outcomes.set(rule, unknown());
    }
  }));
  for (const rule of RULES) if (!outcomes.has(rule)) outcomes.set(rule, unknown());
  return { outcomes, failure };
}

