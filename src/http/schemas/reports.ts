import { Type } from 'typebox';
import { Nullable } from './common.ts';

/** Report settings as the API shows and takes them (src/notify/reports). */
const Recipients = Nullable(Type.Array(Type.String({ maxLength: 254 }), {
  maxItems: 50, description: "chosen addresses; null: the client's members (the digest: operators and admins)",
}));

export const ScheduleBody = Type.Object({
  enabled: Type.Boolean(),
  cron: Type.String({ description: "five-field cron in the client's time zone, e.g. \"0 9 * * 1\" (Monday 09:00)" }),
  recipients: Recipients,
  since: Type.String({ description: 'when the schedule started: nothing due before it is sent' }),
  nextDueAt: Nullable(Type.String({ description: 'the next occurrence (UTC); null when disabled' })),
});

/** Changes name only known fields: a mistyped one is a 400, never silently ignored. */
const strict = { additionalProperties: false } as const;

export const ScheduleChangeBody = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  cron: Type.Optional(Type.String({ maxLength: 100 })),
  recipients: Type.Optional(Recipients),
}, strict);

export const RunBody = Type.Object({
  kind: Type.String(),
  periodStart: Type.String(),
  periodEnd: Type.String(),
  dueAt: Type.String(),
  sentAt: Nullable(Type.String()),
  attempts: Type.Integer(),
  recipients: Type.Integer({ description: 'how many recipients the mailer took it for' }),
  error: Nullable(Type.String({ description: 'an error code, when the last attempt failed' })),
});

export const ClientReportsBody = Type.Object({
  clientId: Type.String(),
  timezone: Type.String(),
  weekly: ScheduleBody,
  monthly: ScheduleBody,
  recent: Type.Array(RunBody),
});

export const ClientReportsChange = Type.Object({
  weekly: Type.Optional(ScheduleChangeBody),
  monthly: Type.Optional(ScheduleChangeBody),
}, strict);

export const DigestBody = Type.Object({ ...ScheduleBody.properties, timezone: Type.String() });
export const DigestChange = Type.Object({ ...ScheduleChangeBody.properties, timezone: Type.Optional(Type.String({ maxLength: 64 })) }, strict);
