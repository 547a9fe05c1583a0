import type { ClientConfig } from '../../config/clients.ts';
import type { Queryable } from '../../db/queryable.ts';
import { inTransaction, type ConnectionSource } from '../../db/transaction.ts';
import type { AnswerDeps } from '../../answers/answerMetric.ts';
import type { ClientLookup } from '../../tenants/clientRegistry.ts';
import type { Notifier } from '../notification.ts';
import { newRecord, nextState, type AlertRecord, type AlertState } from './alertState.ts';
import { loadAlerts, saveAlert } from './alertStore.ts';
import { withinBusinessHours } from './businessHours.ts';
import { evaluateClient } from './evaluateClient.ts';
import { notificationDue, notified, GRAFANA_DEFAULT_POLICY, type DueNotification, type NotificationPolicy } from './notificationPolicy.ts';
import { notificationOf } from './notificationOf.ts';
import { readAllOverrides } from './ruleStore.ts';
import { effectiveSettings, RULES, type AlertSettings, type RuleName } from './ruleSettings.ts';

export interface AlertDeps {
  /** The shared metric answers (rollups when on); `now` there is ignored in favour of the round's. */
  answers: AnswerDeps;
  /** The platform database: rules, alert state and history. */
  platform: Queryable & ConnectionSource;
  clients: ClientLookup;
  notifier: Notifier;
  /** `PUBLIC_URL`, for links in notifications. */
  publicUrl: string | null;
  /** Clients evaluated at once (default 8): a slow or down client holds one slot, never the round. */
  concurrency?: number;
  policy?: NotificationPolicy;
}

export interface RoundReport {
  clients: number;
  /** Clients another process was evaluating at the same moment (left to it). */
  skipped: number;
  changes: { clientId: string; rule: RuleName; from: AlertState; to: AlertState }[];
  notifications: number;
  /** Clients whose database failed the round, with the failure. */
  failures: { clientId: string; failure: string }[];
  ms: number;
}

/** Evaluations of one alert closer together than this count once. */
const MIN_SPACING_MS = 30_000;

/** 'alrt' — first key of the per-client advisory lock, apart from the migration lock. */
const ALERT_LOCK = 0x616c7274;

/** One evaluation round over every client, at `now` (a parameter, so tests run it on a clock of their own). */
export async function evaluateAlerts(deps: AlertDeps, now: Date): Promise<RoundReport> {
  const started = Date.now();
  const clients = deps.clients.list();
  const overrides = await readAllOverrides(deps.platform, clients.map((c) => c.id));
  const report: RoundReport = { clients: clients.length, skipped: 0, changes: [], notifications: 0, failures: [], ms: 0 };
  let next = 0;
  const worker = async () => {
    while (next < clients.length) {
      const client = clients[next++]!;
      try {
        await evaluateOne(deps, client, effectiveSettings(overrides.get(client.id) ?? {}), now, report);
      } catch (error) {
        report.failures.push({ clientId: client.id, failure: (error as { code?: string }).code ?? 'ROUND_FAILED' });
        deps.answers.log.warn({ clientId: client.id, code: (error as { code?: string }).code }, 'alert round failed for a client');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 8, clients.length)) }, worker));
  report.ms = Date.now() - started;
  return report;
}

async function evaluateOne(deps: AlertDeps, client: ClientConfig, settings: AlertSettings, now: Date, report: RoundReport): Promise<void> {
  // Measured outside the platform transaction: a slow client database never holds a platform connection.
  const { outcomes, failure } = await evaluateClient({ ...deps.answers, now: () => now }, client, settings, now);
  if (failure && failure !== 'DATABASE_NOT_CONFIGURED') report.failures.push({ clientId: client.id, failure });
  const inHours = withinBusinessHours(settings.businessHours, client.timezone, now);
  const due: { alert: AlertRecord; due: DueNotification }[] = [];
  await inTransaction(deps.platform, async (tx) => {
    const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::int, hashtext($2)) AS locked', [ALERT_LOCK, client.id]);
    if (!rows[0]!.locked) return void report.skipped++;
    const records = await loadAlerts(tx, client.id);
    for (const rule of RULES) {
      const s = settings.rules[rule];
      const before = records.get(rule) ?? newRecord(client.id, rule, now);
      // Another round judged it moments ago (a replica's, or a retried job): two looks at one moment are not two evaluations.
      if (before.id !== null && now.getTime() - before.evaluatedAt.getTime() < MIN_SPACING_MS) continue;
      const forSeconds = rule === 'database-unreachable' ? settings.rules[rule].forMinutes * 60 : 0;
      let after = nextState(before, outcomes.get(rule)!, now, forSeconds);
      if (before.id === null && after.state === 'ok') continue; // nothing to remember about a rule that never failed
      if (before.state !== after.state) report.changes.push({ clientId: client.id, rule, from: before.state, to: after.state });
      after = await saveAlert(tx, after, before.id === null ? null : before.state);
      const quiet = (s.mutedUntil !== null && Date.parse(s.mutedUntil) > now.getTime()) || (s.businessHoursOnly && !inHours);
      const news = notificationDue(after, now, quiet, deps.policy ?? GRAFANA_DEFAULT_POLICY);
      if (news) due.push({ alert: after, due: news });
    }
  });
  // Handed over after the state is committed, never inside that transaction: the Notifier queues jobs on other
  // connections, and the embedded platform database runs one transaction at a time (it would wait on itself). Handed
  // over before the record says so: should this process die here, the next round hands the same key again, and
  // delivery sends each key once.
  for (const { alert, due: news } of due) {
    await deps.notifier.notify(notificationOf(alert, news, client, deps.publicUrl));
    await saveAlert(deps.platform, notified(alert, news, now), alert.state);
    report.notifications++;
  }
}
