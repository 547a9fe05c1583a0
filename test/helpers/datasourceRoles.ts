import { randomBytes } from 'node:crypto';
import { connectClient } from '../../src/db/pool.ts';
import { createClientTablesSql } from '../../src/tenants/clientTables.ts';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from './testDatabase.ts';

/** A throw-away database with the chatbot's tables, and login roles for Grafana's data source made on demand. */
export interface RoleDatabase {
  db: TestDatabase;
  /**
   * A login role with USAGE on `public` and SELECT on the chatbot's tables, plus `grants` (`{role}` stands for its
   * name). Roles are cluster-wide: the name is unique to this run, and `drop()` removes it.
   */
  role(label: string, grants?: string[], attributes?: string): Promise<string>;
  /** The data-source URL of `role` on this database. The local server trusts, so the password only proves it is never printed. */
  url(role: string, password: string, port?: number): string;
  drop(): Promise<void>;
}

export async function createRoleDatabase(label: string): Promise<RoleDatabase> {
  const db = await createTestDatabase(label);
  for (const sql of createClientTablesSql('public')) await db.pool.query(sql);
  const suffix = randomBytes(4).toString('hex');
  const roles: string[] = [];
  return {
    db,
    async role(name, grants = [], attributes = 'NOSUPERUSER NOCREATEDB NOCREATEROLE') {
      const role = `grafana_${name}_${suffix}`;
      await db.pool.query(`CREATE ROLE ${role} LOGIN ${attributes}`);
      roles.push(role);
      const all = [
        `GRANT USAGE ON SCHEMA public TO {role}`,
        `GRANT SELECT ON "UserEvents", "Leads", "ChatLog", "AgentConnection" TO {role}`,
        ...grants,
      ];
      for (const sql of all) await db.pool.query(sql.replaceAll('{role}', role));
      return role;
    },
    url(role, password, port = 5432) {
      return `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db.name}`;
    },
    async drop() {
      await db.drop(); // takes the roles' privileges with it, so they can be dropped
      const admin = await connectClient({ connectionString: ADMIN_URL });
      try {
        for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${role}`);
      } finally {
        await admin.end();
      }
    },
  };
}
