import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDatasourceRole, RoleCheckError } from '../../src/grafana/datasourceRole.ts';
import { parseDatasourceUrl } from '../../src/grafana/sync/datasourceSettings.ts';
import { createRoleDatabase, type RoleDatabase } from '../helpers/datasourceRoles.ts';
import { freePort } from '../helpers/freePort.ts';

const PASSWORD = 'role-check-pw-Vq93';
let roles: RoleDatabase;
beforeAll(async () => {
  roles = await createRoleDatabase('datasource_role');
});
afterAll(() => roles?.drop());

const check = (url: string, schema = 'public') => checkDatasourceRole(parseDatasourceUrl('maple', url), schema);
const reasonsOf = async (role: string, schema = 'public') => (await check(roles.url(role, PASSWORD), schema)).reasons;

describe('checkDatasourceRole on real PostgreSQL', () => {
  it('finds nothing to object to in a role that may only SELECT the chatbot tables', async () => {
    const role = await roles.role('ro');
    expect(await check(roles.url(role, PASSWORD))).toEqual({ role, reasons: [] });
  });

  it('objects to a superuser with that one reason, however read-only it is otherwise', async () => {
    const url = new URL(roles.db.url);
    url.password = PASSWORD;
    expect(await check(url.toString())).toEqual({ role: 'postgres', reasons: ['is a superuser'] });
  });

  it('names every privilege beyond SELECT and the tables it applies to', async () => {
    expect(await reasonsOf(await roles.role('insert', ['GRANT INSERT ON "UserEvents" TO {role}']))).toEqual(['may INSERT on "UserEvents"']);
    const owner = await roles.role('all', ['GRANT ALL ON "UserEvents", "Leads", "ChatLog", "AgentConnection" TO {role}']);
    expect(await reasonsOf(owner)).toEqual(['may INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER on "UserEvents", "Leads", "ChatLog", "AgentConnection"']);
  });

  it('objects to CREATE on the schema, to CREATE on the database and to CREATEROLE', async () => {
    expect(await reasonsOf(await roles.role('schema', ['GRANT CREATE ON SCHEMA public TO {role}']))).toEqual(['may CREATE in schema "public"']);
    const database = await roles.role('db', [`GRANT CREATE ON DATABASE "${roles.db.name}" TO {role}`]);
    expect(await reasonsOf(database)).toEqual([`may CREATE schemas in database "${roles.db.name}"`]);
    expect(await reasonsOf(await roles.role('roles', [], 'NOSUPERUSER CREATEROLE'))).toEqual(['may create roles (CREATEROLE)']);
  });

  it('counts what a role may SET ROLE to, even when it does not inherit it', async () => {
    const writer = await roles.role('writer', ['GRANT DELETE ON "Leads" TO {role}']);
    const member = await roles.role('member', [`GRANT ${writer} TO {role}`], 'NOSUPERUSER NOCREATEROLE NOINHERIT');
    expect(await reasonsOf(member)).toEqual(['may DELETE on "Leads"']);
  });

  it("checks the client's own schema (Prisma's ?schema=), not public", async () => {
    await roles.db.pool.query('CREATE SCHEMA crm; CREATE TABLE crm."UserEvents" ("sessionId" text PRIMARY KEY)');
    const role = await roles.role('crm', ['GRANT USAGE ON SCHEMA crm TO {role}', 'GRANT SELECT, UPDATE ON crm."UserEvents" TO {role}']);
    expect(await reasonsOf(role, 'public')).toEqual([]);
    expect(await reasonsOf(role, 'crm')).toEqual(['may UPDATE on "UserEvents"']);
  });

  it('fails with a RoleCheckError that names the problem but neither the URL nor the password', async () => {
    const role = await roles.role('lost');
    const down = await check(roles.url(role, PASSWORD, await freePort())).catch((e: Error) => e);
    expect(down).toBeInstanceOf(RoleCheckError);
    expect((down as Error).message).toBe('cannot connect (ECONNREFUSED)');
    const missing = await check(roles.url(role, PASSWORD).replace(roles.db.name, 'no_such_database')).catch((e: Error) => e);
    expect((missing as Error).message).toBe('the database does not exist');
    for (const error of [down, missing]) expect((error as Error).message).not.toMatch(new RegExp(`${PASSWORD}|postgres://|127\\.0\\.0\\.1`));
  });
});
