import type { ReportDeps } from '../notify/reports/reportDeps.ts';
import type { ApiContext } from './context.ts';

/** The reports' dependencies from the API's context: the same answers (cache, rollups) and mailer the routes use. */
export function reportDepsOf(ctx: ApiContext, log: ReportDeps['log']): ReportDeps {
  return {
    platform: ctx.platform,
    clients: ctx.clients,
    answers: { databases: ctx.databases, cache: ctx.cache, rollups: ctx.rollups ?? null, now: ctx.now, log },
    mailer: ctx.mailer,
    now: ctx.now,
    log,
    publicUrl: ctx.publicUrl,
  };
}
