import { Type, type Static, type TInteger, type TSchema, type TString } from 'typebox';
import { CLIENT_ID, COLOR } from '../../config/clients.ts';
import { CLIENT_TABLES } from '../../tenants/clientTables.ts';

/** In answers. */
const OrNull = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);
/**
 * In request bodies: `type: [t, 'null']`, not a union, which Fastify's type coercion would bend (`0` or `""` coerced
 * to `null` by a null branch, `null` to `""` by a string one); its errors also name the real constraint.
 */
const NullOr = <T extends TString | TInteger>(schema: T) => Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });

const HOST = '^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$';
const LOGO = '^(?:https?://|/)[^\\s"<>]*$';

const BrandingInput = Type.Object({
  primaryColor: Type.Optional(Type.String({ pattern: COLOR, description: '#rrggbb' })),
  logoUrl: Type.Optional(NullOr(Type.String({ maxLength: 2000, pattern: LOGO, description: 'an http(s) URL or a path on this site' }))),
}, { additionalProperties: false });

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  domain: Type.Optional(NullOr(Type.String({ maxLength: 253, pattern: HOST, description: 'the website the chatbot runs on, e.g. mapledental.com.au' }))),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Australia/Sydney' }),
  branding: Type.Optional(BrandingInput),
  databaseUrl: Type.Optional(NullOr(Type.String({
    maxLength: 2000,
    description: "postgres:// or postgresql:// URL (Prisma's ?schema= picks the schema). Stored encrypted and never returned; null removes it",
  }))),
  grafanaOrgId: Type.Optional(NullOr(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }))),
};

export const NewClientBody = Type.Object({
  id: Type.String({ pattern: CLIENT_ID, maxLength: 64, description: 'a-z, 0-9 and -; it is in every URL of the client and cannot change' }),
  ...fields,
}, { additionalProperties: false });

export const ClientChangeBody = Type.Object({
  name: Type.Optional(fields.name),
  domain: fields.domain,
  timezone: Type.Optional(fields.timezone),
  branding: fields.branding,
  databaseUrl: fields.databaseUrl,
  grafanaOrgId: fields.grafanaOrgId,
  disabled: Type.Optional(Type.Boolean({ description: 'a disabled client is not served (404) and holds no connections' })),
}, { additionalProperties: false, minProperties: 1 });

export const AdminClientBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain: OrNull(Type.String()),
  timezone: Type.String(),
  branding: Type.Object({ primaryColor: Type.String(), logoUrl: OrNull(Type.String()) }),
  grafanaOrgId: OrNull(Type.Integer()),
  disabled: Type.Boolean(),
  provenance: Type.Union([Type.Literal('file'), Type.Literal('product')], { description: 'file: provisioned from CLIENTS_FILE; product: managed here' }),
  readOnly: Type.Boolean({ description: 'true for clients the registry file provides: change them there' }),
  hasDatabase: Type.Boolean({ description: 'whether a database URL is configured (the URL itself is never shown)' }),
  problem: OrNull(Type.String({ description: 'why the stored database cannot be used (a URL that cannot be decrypted)' })),
  createdAt: OrNull(Type.String()),
  updatedAt: OrNull(Type.String()),
});

export const TestConnectionBody = Type.Object({
  databaseUrl: Type.Optional(Type.String({ maxLength: 2000, description: 'a URL to test before saving it' })),
  clientId: Type.Optional(Type.String({ maxLength: 64, description: "or a saved client's id, to test the URL it has" })),
}, { additionalProperties: false });

export const ConnectionCheckBody = Type.Object({
  ok: Type.Boolean({ description: 'reachable, and UserEvents has every column the metrics need' }),
  latencyMs: OrNull(Type.Number()),
  serverVersion: OrNull(Type.String()),
  tables: Type.Object(Object.fromEntries(CLIENT_TABLES.map((t) => [t, Type.Boolean()])) as Record<(typeof CLIENT_TABLES)[number], ReturnType<typeof Type.Boolean>>),
  timestampTypes: Type.Record(Type.String(), Type.Union([Type.Literal('timestamp'), Type.Literal('timestamptz')]), { description: 'Table.column → how it is declared' }),
  problems: Type.Array(Type.String(), { description: 'what stands in the way, in fixed sentences (never the URL)' }),
});
