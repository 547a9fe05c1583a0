import { Type, type Static } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { CLIENT_ID, clientIdProblem, DEFAULT_COLOR, parseDatabaseUrl, type ClientConfig, type ClientDatabase } from '../../config/clients.ts';
import { Problems } from '../../config/env.ts';
import { canonicalTimeZone } from '../../config/timezone.ts';
import { mayManagePlatform } from '../../access/permissions.ts';
import { EncryptionNotConfiguredError } from '../../platform/secrets.ts';
import {
  createStoredClient, deleteStoredClient, listStoredClients, storedClient, storedDatabase, updateStoredClient,
  type ClientChange, type StoredClient,
} from '../../tenants/clientStore.ts';
import type { ManagedClients } from '../../tenants/managedClients.ts';
import { failedCheck, testDatabase, type ConnectionCheck } from '../../tenants/testConnection.ts';
import { dropClientGrants } from '../../access/clientGrants.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, notFound } from '../errors.ts';
import { AdminClientBody, ClientChangeBody, ConnectionCheckBody, NewClientBody, TestConnectionBody } from '../schemas/adminClients.ts';
import { ErrorBody } from '../schemas/common.ts';

type AdminClient = Static<typeof AdminClientBody>;

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };
const invalid = (field: string, message: string) => new ApiError(400, 'INVALID_PARAMETER', `${field}: ${message}`);
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const CLIENT_ID_SHAPE = new RegExp(CLIENT_ID);

const providedByFile = (id: string) =>
  new ApiError(409, 'PROVIDED_BY_FILE', `Client "${id}" is provided by the registry file (CLIENTS_FILE, clients.json): change it there; the file wins over the product`);

function fromFile(client: ClientConfig): AdminClient {
  return {
    id: client.id, name: client.name, domain: client.domain, timezone: client.timezone, branding: client.branding,
    grafanaOrgId: client.grafanaOrgId, disabled: false, provenance: 'file', readOnly: true, hasDatabase: client.database !== null,
    problem: null, createdAt: null, updatedAt: null,
  };
}

function fromStore(client: StoredClient, managed: ManagedClients): AdminClient {
  const { id, name, domain, timezone, branding, grafanaOrgId, disabled, hasDatabase, createdAt, updatedAt } = client;
  return {
    id, name, domain, timezone, branding, grafanaOrgId, disabled, provenance: 'product', readOnly: false, hasDatabase,
    problem: disabled ? null : managed.problemOf(id), createdAt, updatedAt,
  };
}

function timezoneOf(value: string): string {
  const timezone = canonicalTimeZone(value);
  if (!timezone) throw invalid('timezone', `"${value.slice(0, 64)}" is not an IANA time zone`);
  return timezone;
}

/** A literal URL only (no `${ENV}` references from the API), validated as the registry file's are, with a host. */
function databaseOf(value: string | null): ClientDatabase | null {
  if (value === null || value.trim() === '') return null;
  const problems = new Problems();
  const database = parseDatabaseUrl(value.trim(), 'databaseUrl', problems);
  if (!database) throw new ApiError(400, 'INVALID_PARAMETER', problems.list[0] ?? 'databaseUrl: is not a valid URL');
  const url = new URL(database.url);
  if (!url.hostname && !url.searchParams.get('host')) throw invalid('databaseUrl', 'must name a host');
  return database;
}

const nameOf = (value: string) => {
  if (value.trim() === '') throw invalid('name', 'must not be blank');
  return value.trim();
};

/**
 * `/api/admin/clients`: the clients managed in the product (admins only). Every change is in the platform database
 * first, then in this process's registry before the answer (pools open or close at once), and in other replicas'
 * within `STORE_POLL_MS`. Clients the registry file provides are listed read-only. A database URL goes in, is stored
 * encrypted, and never comes out.
 */
export const adminClientRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const db = ctx.platform;
  const managedOf = () => {
    if (!ctx.managedClients) throw new ApiError(503, 'NOT_AVAILABLE', 'Clients cannot be managed in this process');
    return ctx.managedClients;
  };
  // Before the body is validated: a member learns nothing about the fields.
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!mayManagePlatform(request.principal!)) throw new ApiError(403, 'FORBIDDEN', 'Only admins manage clients');
  });

  /** A product client by id; the file's ids are refused (409), unknown ones are 404. */
  const ownClient = async (id: string) => {
    const managed = managedOf();
    if (!CLIENT_ID_SHAPE.test(id)) throw notFound('Client'); // no client is named so (and PostgreSQL text holds no NUL)
    if (managed.fileProvides(id)) throw providedByFile(id);
    const client = await storedClient(db, id);
    if (!client) throw notFound('Client');
    return client;
  };

  app.get('/api/admin/clients', {
    schema: {
      tags: ['clients'], summary: 'Every client: provisioned from the registry file (read-only) and managed in the product',
      response: { 200: Type.Array(AdminClientBody), ...errors },
    },
  }, async () => {
    const managed = managedOf();
    const file = managed.fileClients();
    const fileIds = new Set(file.map((c) => c.id));
    const stored = (await listStoredClients(db)).filter((c) => !fileIds.has(c.id)); // the file wins
    return [...file.map(fromFile), ...stored.map((c) => fromStore(c, managed))].sort((a, b) => a.id.localeCompare(b.id));
  });

  app.post('/api/admin/clients', {
    schema: {
      tags: ['clients'], summary: 'Creates a client; it is served at once (no restart)', body: NewClientBody,
      response: { 201: AdminClientBody, ...errors },
    },
  }, async (request, reply) => {
    const managed = managedOf();
    const body = request.body;
    if (managed.fileProvides(body.id)) throw providedByFile(body.id);
    const idProblem = clientIdProblem(body.id);
    if (idProblem) throw invalid('id', idProblem);
    const database = databaseOf(body.databaseUrl ?? null);
    const created = await createStoredClient(db, managed.box, {
      id: body.id, name: nameOf(body.name), domain: body.domain ?? null, timezone: timezoneOf(body.timezone),
      branding: { primaryColor: body.branding?.primaryColor ?? DEFAULT_COLOR, logoUrl: body.branding?.logoUrl ?? null },
      grafanaOrgId: body.grafanaOrgId ?? null, database,
    }).catch(refuseWithoutKey);
    if (!created) throw invalid('id', `a client "${body.id}" exists already`);
    await managed.reload('created in the product');
    await audit(ctx, request, {
      action: 'client-created', target: created.id, clientId: created.id,
      details: { name: created.name, timezone: created.timezone, hasDatabase: created.hasDatabase },
    });
    return reply.status(201).send(fromStore(created, managed));
  });

  app.patch('/api/admin/clients/:id', {
    schema: {
      tags: ['clients'], summary: 'Changes a client (omitted fields keep theirs; a databaseUrl replaces the stored one); disabled: true stops serving it',
      params: IdParams, body: ClientChangeBody, response: { 200: AdminClientBody, ...errors },
    },
  }, async (request) => {
    const managed = managedOf();
    const current = await ownClient(request.params.id);
    const body = request.body;
    const change: ClientChange = {
      ...(body.name !== undefined ? { name: nameOf(body.name) } : {}),
      ...(body.domain !== undefined ? { domain: body.domain } : {}),
      ...(body.timezone !== undefined ? { timezone: timezoneOf(body.timezone) } : {}),
      ...(body.branding !== undefined ? { branding: { ...current.branding, ...body.branding } } : {}),
      ...(body.grafanaOrgId !== undefined ? { grafanaOrgId: body.grafanaOrgId } : {}),
      ...(body.databaseUrl !== undefined ? { database: databaseOf(body.databaseUrl) } : {}),
      ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
    };
    const updated = await updateStoredClient(db, managed.box, current.id, change).catch(refuseWithoutKey);
    if (!updated) throw notFound('Client');
    await managed.reload('changed in the product');
    await audit(ctx, request, {
      action: 'client-changed', target: updated.id, clientId: updated.id,
      // Field names only: what changed, never a value that could be the URL.
      details: { fields: Object.keys(body).sort().join(','), disabled: updated.disabled, hasDatabase: updated.hasDatabase },
    });
    return fromStore(updated, managed);
  });

  app.delete('/api/admin/clients/:id', {
    schema: {
      tags: ['clients'], summary: 'Removes a client: it is no longer served, its connections close, its stored URL is deleted, and every membership, service token and pending invitation of it ends',
      params: IdParams, response: { 204: Type.Null(), ...errors },
    },
  }, async (request, reply) => {
    const managed = managedOf();
    const client = await ownClient(request.params.id);
    // Grants go first: should the removal then fail, the client stays with no one in it (closed, not open).
    const dropped = await dropClientGrants(db, client.id);
    if (!(await deleteStoredClient(db, client.id))) throw notFound('Client');
    await managed.reload('removed in the product');
    await audit(ctx, request, { action: 'client-removed', target: client.id, clientId: client.id, details: { name: client.name, memberships: dropped.memberships, serviceCredentials: dropped.tokens, invitations: dropped.invitations } });
    return reply.status(204).send(null);
  });

  app.post('/api/admin/clients/test-connection', {
    schema: {
      tags: ['clients'],
      summary: "Tests a database URL before it is saved (or a saved client's): reachable, the chatbot's tables, timestamp types",
      body: TestConnectionBody, response: { 200: ConnectionCheckBody, ...errors },
    },
  }, async (request) => {
    const managed = managedOf();
    const { databaseUrl, clientId } = request.body;
    if ((databaseUrl === undefined) === (clientId === undefined)) throw invalid('databaseUrl', 'give either databaseUrl or clientId');
    let check: ConnectionCheck;
    if (databaseUrl !== undefined) {
      const database = databaseOf(databaseUrl);
      if (!database) throw invalid('databaseUrl', 'must not be empty');
      check = await testDatabase(database, managed.timeouts);
    } else {
      const found = await savedDatabase(managed, clientId!);
      check = found.database ? await testDatabase(found.database, managed.timeouts) : failedCheck(found.problem);
    }
    if (!check.ok) request.log.info({ clientId: clientId ?? null, problems: check.problems }, 'connection test failed');
    await audit(ctx, request, {
      action: 'client-tested', target: clientId ?? null, clientId: clientId ?? null,
      details: { ok: check.ok, saved: clientId !== undefined, problems: check.problems.length },
    });
    return check;
  });

  /** The database a saved client uses (the file's, an enabled or a disabled product client's). */
  async function savedDatabase(managed: ManagedClients, clientId: string): Promise<{ database: ClientDatabase | null; problem: string }> {
    const noUrl = { database: null, problem: 'The client has no database URL' };
    const inFile = managed.fileProvides(clientId);
    if (inFile) return inFile.database ? { database: inFile.database, problem: '' } : noUrl;
    const stored = await storedDatabase(db, managed.box, clientId);
    if (!stored) throw notFound('Client');
    if (stored.problem) return { database: null, problem: `Client "${clientId}": ${stored.problem}` };
    return stored.database ? { database: stored.database, problem: '' } : noUrl;
  }
};

function refuseWithoutKey(error: unknown): never {
  if (error instanceof EncryptionNotConfiguredError) throw new ApiError(503, 'ENCRYPTION_NOT_CONFIGURED', error.message);
  throw error;
}
