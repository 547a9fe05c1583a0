import { Type, type Static } from 'typebox';
import type { User } from '../../access/users.ts';
import { ClientRoleSchema, RoleSchema } from './me.ts';

/** A person as the API shows them (never a password hash). */
export const PersonBody = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  allClients: Type.Boolean({ description: 'operators: every client, now and later' }),
  clients: Type.Record(Type.String(), ClientRoleSchema, { description: 'client id → role there (a member has exactly one)' }),
  disabled: Type.Boolean(),
  hasPassword: Type.Boolean({ description: 'false until an invitation is accepted (or for single sign-on only)' }),
  createdAt: Type.String(),
});

export const PersonChange = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  role: Type.Optional(RoleSchema),
  allClients: Type.Optional(Type.Boolean()),
  clients: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9-]+$', maxLength: 64 }), ClientRoleSchema, { maxProperties: 1000 })),
  disabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });

export const personOf = (user: User): Static<typeof PersonBody> => ({
  id: user.id, email: user.email, name: user.name, role: user.role, allClients: user.allClients, clients: user.clients,
  disabled: user.disabled, hasPassword: user.hasPassword, createdAt: user.createdAt,
});
