import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { InvalidParameterError } from '../../analytics/errors.ts';
import { isAdmin } from '../../access/permissions.ts';
import { canSee, type Principal } from '../../access/principal.ts';
import { canonicalTimeZone } from '../../config/timezone.ts';
import { composeClientReport, composeDigest } from '../../notify/reports/compose.ts';
import type { Chart } from '../../notify/reports/charts.ts';
import { recipientsProblem } from '../../notify/reports/recipients.ts';
import { recentRuns } from '../../notify/reports/reportRuns.ts';
import { ensureSchedules, scheduleOf, updateSchedule, type ReportSchedule, type ScheduleChange } from '../../notify/reports/reportSchedules.ts';
import { cronProblem, DIGEST_SCOPE, lastFullPeriod } from '../../notify/reports/schedule.ts';
import { CronExpressionParser } from 'cron-parser';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { reportDepsOf } from '../reportContext.ts';
import { ErrorBody } from '../schemas/common.ts';
import { ClientReportsBody, ClientReportsChange, DigestBody, DigestChange } from '../schemas/reports.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Kind = Type.Object({ kind: Type.Optional(Type.Union([Type.Literal('weekly'), Type.Literal('monthly')], { default: 'weekly' })) });
/** The preview is our own HTML with inline images only: nothing runs, nothing loads but https logos. */
const PREVIEW_CSP = "default-src 'none'; img-src data: https:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox";
const dataUrl = (chart: Chart) => `data:image/png;base64,${chart.png.toString('base64')}`;

function scheduleBody(schedule: ReportSchedule, timezone: string, now: Date) {
  const next = schedule.enabled ? CronExpressionParser.parse(schedule.cron, { currentDate: now, tz: timezone }).next().toDate().toISOString() : null;
  return { enabled: schedule.enabled, cron: schedule.cron, recipients: schedule.recipients, since: schedule.createdAt.toISOString(), nextDueAt: next };
}

/** Checks a change; a bad field is a 400 naming it (`weekly.cron`). */
function checked(prefix: string, change: ScheduleChange & { timezone?: string }): ScheduleChange {
  if (change.cron !== undefined) {
    const problem = cronProblem(change.cron);
    if (problem) throw new InvalidParameterError(`${prefix}cron`, problem);
  }
  if (change.recipients) {
    const problem = recipientsProblem(change.recipients);
    if (problem) throw new InvalidParameterError(`${prefix}recipients`, problem);
  }
  if (change.timezone !== undefined && !canonicalTimeZone(change.timezone)) throw new InvalidParameterError(`${prefix}timezone`, `"${change.timezone.slice(0, 64)}" is not an IANA time zone`);
  return { ...change, ...(change.timezone !== undefined ? { timezone: canonicalTimeZone(change.timezone) } : {}) };
}

/**
 * Scheduled reports: a client's weekly and monthly settings (its operators and admins), their preview as HTML
 * (whoever sees the client), and the operator digest's settings (admins) and preview (operators: their clients).
 */
export const reportRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const db = ctx.platform;
  const visible = (p: Principal, id: string) => {
    const client = ctx.clients.get(id);
    if (!client || !canSee(p, id)) throw notFound('Client');
    return client;
  };
  const mayManage = (p: Principal) => {
    if (p.role === 'member') throw new ApiError(403, 'FORBIDDEN', "Only the client's operators and admins manage its reports");
  };
  const settings = async (id: string, timezone: string) => {
    const schedules = await ensureSchedules(db, [id], ['weekly', 'monthly'], ctx.now());
    const [weekly, monthly] = (['weekly', 'monthly'] as const).map((kind) => schedules.find((s) => s.kind === kind));
    return { clientId: id, timezone, weekly: scheduleBody(weekly!, timezone, ctx.now()), monthly: scheduleBody(monthly!, timezone, ctx.now()), recent: (await recentRuns(db, id)).map((r) => ({
      kind: r.kind, periodStart: r.periodStart.toISOString(), periodEnd: r.periodEnd.toISOString(), dueAt: r.dueAt.toISOString(),
      sentAt: r.sentAt?.toISOString() ?? null, attempts: r.attempts, recipients: r.recipients, error: r.error,
    })) };
  };
  const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').header('content-security-policy', PREVIEW_CSP).header('cache-control', 'no-store').send(body);

  app.get('/api/clients/:id/reports', {
    schema: { tags: ['reports'], summary: "A client's weekly and monthly report settings and its latest reports (its operators, admins)", params: Params, response: { 200: ClientReportsBody, ...errors } },
  }, async (request) => {
    const client = visible(request.principal!, request.params.id);
    mayManage(request.principal!);
    return settings(client.id, client.timezone);
  });

  app.patch('/api/clients/:id/reports', {
    schema: { tags: ['reports'], summary: 'Changes the weekly and monthly report settings (omitted fields stay)', params: Params, body: ClientReportsChange, response: { 200: ClientReportsBody, ...errors } },
  }, async (request) => {
    const client = visible(request.principal!, request.params.id);
    mayManage(request.principal!);
    const changes = (['weekly', 'monthly'] as const).flatMap((kind) => (request.body[kind] ? [[kind, checked(`${kind}.`, request.body[kind]!)] as const] : []));
    for (const [kind, change] of changes) await updateSchedule(db, client.id, kind, change, ctx.now());
    await audit(ctx, request, {
      action: 'report-settings-changed', target: client.id, clientId: client.id,
      details: { fields: changes.flatMap(([kind, change]) => Object.keys(change).map((f) => `${kind}.${f}`)).join(',') },
    });
    return settings(client.id, client.timezone);
  });

  app.get('/api/clients/:id/reports/preview', {
    schema: {
      tags: ['reports'], summary: "The client's report for its last full week or month, as HTML (charts as data URLs), as it would be emailed",
      params: Params, querystring: Kind, produces: ['text/html'], response: { 200: Type.String({ description: 'text/html' }), ...errors, 503: ErrorBody, 504: ErrorBody },
    },
  }, async (request, reply) => {
    const client = visible(request.principal!, request.params.id);
    const kind = request.query.kind ?? 'weekly';
    const email = await composeClientReport(reportDepsOf(ctx, request.log), client, kind, lastFullPeriod(kind, ctx.now(), client.timezone), dataUrl);
    return html(reply, email.html);
  });

  app.get('/api/reports/digest', {
    schema: { tags: ['reports'], summary: "The operator digest's settings (admins)", response: { 200: DigestBody, ...errors } },
  }, async (request) => {
    if (!isAdmin(request.principal!)) throw new ApiError(403, 'FORBIDDEN', 'Only admins manage the operator digest');
    const schedule = await scheduleOf(db, DIGEST_SCOPE, 'digest', ctx.now());
    return { ...scheduleBody(schedule, schedule.timezone ?? 'UTC', ctx.now()), timezone: schedule.timezone ?? 'UTC' };
  });

  app.patch('/api/reports/digest', {
    schema: { tags: ['reports'], summary: "Changes the operator digest's settings (admins)", body: DigestChange, response: { 200: DigestBody, ...errors } },
  }, async (request) => {
    if (!isAdmin(request.principal!)) throw new ApiError(403, 'FORBIDDEN', 'Only admins manage the operator digest');
    const change = checked('', request.body);
    const schedule = await updateSchedule(db, DIGEST_SCOPE, 'digest', change, ctx.now());
    await audit(ctx, request, { action: 'report-settings-changed', target: 'digest', details: { fields: Object.keys(change).join(',') } });
    return { ...scheduleBody(schedule, schedule.timezone ?? 'UTC', ctx.now()), timezone: schedule.timezone ?? 'UTC' };
  });

  app.get('/api/reports/digest/preview', {
    schema: { tags: ['reports'], summary: 'The operator digest of the last full week as HTML: every client you may see', produces: ['text/html'], response: { 200: Type.String({ description: 'text/html' }), ...errors } },
  }, async (request, reply) => {
    const p = request.principal!;
    mayManage(p);
    const schedule = await scheduleOf(db, DIGEST_SCOPE, 'digest', ctx.now());
    const period = lastFullPeriod('digest', ctx.now(), schedule.timezone ?? 'UTC');
    const deps = reportDepsOf(ctx, request.log);
    const digest = await composeDigest({ ...deps, clients: { get: (id) => ctx.clients.get(id), list: () => ctx.clients.list().filter((c) => canSee(p, c.id)) } }, period);
    return html(reply, digest.emailFor({ clients: 'all' }).html);
  });
};
