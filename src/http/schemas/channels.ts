import { Type } from 'typebox';
import { CHANNEL_KINDS, LISTENABLE_KINDS } from '../../notify/delivery/channels.ts';
import { Nullable } from './common.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });

const Kinds = Type.Array(literals(LISTENABLE_KINDS), { maxItems: LISTENABLE_KINDS.length, uniqueItems: true, description: "the notifications it gets ('test' always)" });
const ClientIds = Type.Unsafe<string[] | null>({
  type: ['array', 'null'], items: { type: 'string', maxLength: 64 }, maxItems: 1000, uniqueItems: true,
  description: 'the clients it listens for; null: every client and the whole portfolio (admins and all-client operators only)',
});
const Addresses = Type.Array(Type.String({ maxLength: 320 }), { maxItems: 50, uniqueItems: true, description: 'email: the addresses to send to' });
const Url = Type.String({ maxLength: 2000, description: 'webhook and slack: an http(s) URL; stored encrypted and never returned (only its host is)' });

export const NewChannelBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kind: literals(CHANNEL_KINDS),
  addresses: Type.Optional(Addresses),
  toMembers: Type.Optional(Type.Boolean({ description: 'email: send to the people of the client the notification is about, instead of addresses' })),
  url: Type.Optional(Url),
  clientIds: Type.Optional(ClientIds),
  kinds: Type.Optional(Kinds),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const ChannelChangeBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  addresses: Type.Optional(Addresses),
  toMembers: Type.Optional(Type.Boolean()),
  url: Type.Optional(Url),
  clientIds: Type.Optional(ClientIds),
  kinds: Type.Optional(Kinds),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });

export const ChannelBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: literals(CHANNEL_KINDS),
  addresses: Type.Array(Type.String()),
  toMembers: Type.Boolean(),
  urlHost: Nullable(Type.String({ description: "the webhook URL's host (the URL itself is never shown: it can hold a credential)" })),
  clientIds: Nullable(Type.Array(Type.String())),
  kinds: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const CreatedChannelBody = Type.Object({
  channel: ChannelBody,
  secret: Nullable(Type.String({
    description: 'webhooks: the signing secret, shown this once. Verify X-Signature: sha256=<hex HMAC-SHA256 of "<X-Signature-Timestamp>.<raw body>">',
  })),
});

export const AttemptBody = Type.Object({
  id: Type.Integer(),
  channelId: Type.String(),
  notificationKey: Type.String(),
  attempt: Type.Integer(),
  status: literals(['sending', 'sent', 'outbox-only', 'failed', 'skipped'] as const),
  code: Nullable(Type.Integer({ description: "a webhook's HTTP status, or an email's SMTP reply code" })),
  durationMs: Nullable(Type.Integer()),
  error: Nullable(Type.String({ description: 'an error code (HTTP_500, ETIMEDOUT, EENVELOPE, ENORECIPIENTS …), never a message' })),
  startedAt: Type.String(),
});

export const TestResultBody = Type.Object({
  ok: Type.Boolean({ description: 'the test went out (or, without SMTP or with demo data, was kept in the outbox)' }),
  notificationKey: Type.String(),
  status: AttemptBody.properties.status,
  code: AttemptBody.properties.code,
  error: AttemptBody.properties.error,
  durationMs: Type.Integer(),
});
