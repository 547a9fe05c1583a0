import type { Logger } from 'pino';
import type { AnswerDeps } from '../../answers/answerMetric.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { ClientLookup } from '../../tenants/clientRegistry.ts';
import type { Mailer } from '../mailer.ts';

/** What the reports need: the platform database, the clients, the answers, the mailer and a clock (tests set it). */
export interface ReportDeps {
  platform: Queryable;
  clients: Pick<ClientLookup, 'get' | 'list'>;
  answers: AnswerDeps;
  mailer: Pick<Mailer, 'send'>;
  now: () => Date;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** `PUBLIC_URL`: links to dashboards; null leaves them out. */
  publicUrl: string | null;
  /** `REPORT_SEND_TIMEOUT_SECONDS`: a send running longer is taken as lost and retried (default 600). */
  sendTimeoutSeconds?: number;
}

export const dashboardUrl = (deps: Pick<ReportDeps, 'publicUrl'>, clientId: string) =>
  deps.publicUrl ? `${deps.publicUrl}/${encodeURIComponent(clientId)}/dashboard` : null;

/** The reports' dependencies from a platform process's parts (the jobs' wiring hands them in). */
export function reportDepsFor(parts: Omit<ReportDeps, 'answers' | 'now'> & Pick<AnswerDeps, 'databases' | 'cache' | 'rollups'> & { now?: () => Date }): ReportDeps {
  const now = parts.now ?? (() => new Date());
  return {
    platform: parts.platform, clients: parts.clients, mailer: parts.mailer, now, log: parts.log, publicUrl: parts.publicUrl,
    ...(parts.sendTimeoutSeconds !== undefined ? { sendTimeoutSeconds: parts.sendTimeoutSeconds } : {}),
    answers: { databases: parts.databases, cache: parts.cache, rollups: parts.rollups, now, log: parts.log },
  };
}
