import { Type, type Static } from 'typebox';
import { MAX_TOKEN_NAME, type Token } from '../../access/tokens.ts';
import { Nullable } from './common.ts';

export const TokenKindSchema = Type.Union([Type.Literal('personal'), Type.Literal('service')]);

/** A token as the API lists it: never its secret or hash. */
export const TokenBody = Type.Object({
  id: Type.String(),
  kind: TokenKindSchema,
  name: Type.String(),
  prefix: Type.String({ description: 'its first 12 characters, to recognise it (cba_pat_… personal, cba_svc_… service)' }),
  clientId: Nullable(Type.String({ description: 'service tokens: the one client they read' })),
  ownerEmail: Nullable(Type.String({ description: 'personal tokens: the person they act as' })),
  createdAt: Type.String({ description: 'RFC 3339, UTC' }),
  expiresAt: Nullable(Type.String({ description: 'RFC 3339, UTC; null: never' })),
  lastUsedAt: Nullable(Type.String({ description: 'RFC 3339, UTC, updated at most once a minute; null: never used' })),
  revokedAt: Nullable(Type.String({ description: 'RFC 3339, UTC; null: not revoked' })),
});

/** `POST /api/tokens`: the token, and its secret this once. */
export const CreatedTokenBody = Type.Object({
  token: Type.String({ description: 'the secret, for `Authorization: Bearer …`: shown this once, never again' }),
  ...TokenBody.properties,
});

export const NewTokenBody = Type.Object({
  name: Type.String({ maxLength: MAX_TOKEN_NAME, description: 'what it is for, to recognise it in the list' }),
  kind: TokenKindSchema,
  clientId: Type.Optional(Type.String({ maxLength: 64, description: 'service tokens: the client it reads' })),
  expiresAt: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'RFC 3339 date-time with offset, in the future, at most 3 years ahead; absent or null: never' }))),
}, { additionalProperties: false });

export const tokenOf = (token: Token): Static<typeof TokenBody> => ({
  id: token.id, kind: token.kind, name: token.name, prefix: token.prefix, clientId: token.clientId, ownerEmail: token.ownerEmail,
  createdAt: token.createdAt, expiresAt: token.expiresAt, lastUsedAt: token.lastUsedAt, revokedAt: token.revokedAt,
});
