import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/queryable.ts';
import type { SecretBox } from '../../platform/secrets.ts';
import type { Notification } from '../notification.ts';

/**
 * Channels: where notifications go. Stored in the platform database; a webhook's URL and signing secret are sealed
 * under the platform's master key, bound to the channel id, and only `deliveryTarget` opens them (to send).
 */
export const CHANNEL_KINDS = ['email', 'webhook', 'slack'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
/** The kinds a channel may choose to listen for; 'test' reaches every channel. */
export const LISTENABLE_KINDS = ['alert-firing', 'alert-resolved'] as const satisfies readonly Notification['kind'][];

export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  /** Email: the chosen addresses (empty when `toMembers`). */
  addresses: string[];
  /** Email: the members of the client the notification is about. */
  toMembers: boolean;
  /** Webhooks: the URL's host only (the URL itself may hold a credential, as Slack's do). */
  urlHost: string | null;
  /** null: every client and the portfolio. */
  clientIds: string[] | null;
  kinds: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewChannel {
  name: string;
  kind: ChannelKind;
  addresses: string[];
  toMembers: boolean;
  /** Webhooks: the URL (validated by the caller) and the secret we generated. */
  webhook: { url: string; secret: string } | null;
  clientIds: string[] | null;
  kinds: string[];
  enabled: boolean;
}

export type ChannelChange = Partial<Pick<NewChannel, 'name' | 'addresses' | 'toMembers' | 'clientIds' | 'kinds' | 'enabled'>> & { url?: string };

const COLUMNS = `id::text AS id, name, kind, addresses, to_members AS "toMembers", url_host AS "urlHost", client_ids AS "clientIds",
  kinds, enabled, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isChannelId = (id: string) => UUID.test(id);

/** What each sealed value is bound to: moved to another channel or field, it does not open. */
const urlContext = (id: string) => `notify.channels:${id}:url`;
const secretContext = (id: string) => `notify.channels:${id}:secret`;

export async function createChannel(db: Queryable, box: SecretBox | null, channel: NewChannel): Promise<Channel> {
  const id = randomUUID();
  const sealed = channel.webhook && box
    ? { url: box.seal(channel.webhook.url, urlContext(id)), secret: box.seal(channel.webhook.secret, secretContext(id)), host: new URL(channel.webhook.url).host }
    : null;
  if (channel.webhook && !sealed) throw new Error('a webhook channel needs a SecretBox');
  const { rows } = await db.query<Channel>(
    `INSERT INTO notify.channels (id, name, kind, addresses, to_members, url_sealed, url_host, secret_sealed, client_ids, kinds, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [id, channel.name, channel.kind, channel.addresses, channel.toMembers, sealed && JSON.stringify(sealed.url), sealed?.host ?? null,
      sealed && JSON.stringify(sealed.secret), channel.clientIds, channel.kinds, channel.enabled],
  );
  return rows[0]!;
}

export async function listChannels(db: Queryable): Promise<Channel[]> {
  return (await db.query<Channel>(`SELECT ${COLUMNS} FROM notify.channels ORDER BY name, id`)).rows;
}

export async function getChannel(db: Queryable, id: string): Promise<Channel | null> {
  if (!isChannelId(id)) return null;
  return (await db.query<Channel>(`SELECT ${COLUMNS} FROM notify.channels WHERE id = $1`, [id])).rows[0] ?? null;
}

/** Enabled channels that listen for this notification: its client (or all clients), and its kind ('test': all). */
export async function listeningChannels(db: Queryable, notification: Pick<Notification, 'clientId' | 'kind'>): Promise<Channel[]> {
  const { rows } = await db.query<Channel>(
    `SELECT ${COLUMNS} FROM notify.channels
      WHERE enabled AND (client_ids IS NULL OR $1::text = ANY (client_ids)) AND ($2 = 'test' OR $2 = ANY (kinds))
      ORDER BY id`,
    [notification.clientId, notification.kind],
  );
  return rows;
}

export async function updateChannel(db: Queryable, box: SecretBox | null, id: string, change: ChannelChange): Promise<Channel | null> {
  const url = change.url !== undefined && box ? JSON.stringify(box.seal(change.url, urlContext(id))) : null;
  const { rows } = await db.query<Channel>(
    `UPDATE notify.channels SET
        name = COALESCE($2, name), addresses = COALESCE($3, addresses), to_members = COALESCE($4, to_members),
        client_ids = CASE WHEN $5 THEN $6::text[] ELSE client_ids END, kinds = COALESCE($7, kinds), enabled = COALESCE($8, enabled),
        url_sealed = COALESCE($9::jsonb, url_sealed), url_host = COALESCE($10, url_host), updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, change.name ?? null, change.addresses ?? null, change.toMembers ?? null, change.clientIds !== undefined, change.clientIds ?? null,
      change.kinds ?? null, change.enabled ?? null, url, change.url !== undefined ? new URL(change.url).host : null],
  );
  return rows[0] ?? null;
}

export async function deleteChannel(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM notify.channels WHERE id = $1 RETURNING id', [id])).rows.length > 0;
}

/** A webhook's URL and secret, opened to send (never to answer or log). */
export async function deliveryTarget(db: Queryable, box: SecretBox | null, id: string): Promise<{ url: string; secret: string } | null> {
  const { rows: [row] } = await db.query<{ url: unknown; secret: unknown }>(
    'SELECT url_sealed AS url, secret_sealed AS secret FROM notify.channels WHERE id = $1', [id]);
  if (!row?.url || !row.secret) return null;
  if (!box) throw new Error('ENCRYPTION_KEYS is not set: the webhook URL cannot be opened');
  return { url: box.open(row.url, urlContext(id)), secret: box.open(row.secret, secretContext(id)) };
}
