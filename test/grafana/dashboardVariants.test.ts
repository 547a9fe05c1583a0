import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { buildClientDashboard } from '../../src/grafana/buildDashboard.ts';
import { detectDashboardSource } from '../../src/grafana/dashboardSource.ts';
import { CLIENT_LAYOUT, type ClientTable } from '../../src/tenants/clientTables.ts';
import { quoteIdent, tableRef } from '../../src/db/identifiers.ts';
import { createPool } from '../../src/db/pool.ts';
import { testClient } from '../helpers/buildTestApp.ts';
import { expandGrafanaSql } from '../helpers/grafanaMacros.ts';
import { dashboardErrors, panelErrors } from '../helpers/grafanaSchemas.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { captureProcessOutput } from '../helpers/logCapture.ts';

/**
 * Every panel of every dashboard variant runs without error on PostgreSQL, with Grafana's macros and the funnel
 * variables expanded: each client's dashboard is built from what its database has, and a panel whose table or
 * column is missing becomes a text panel saying what enables it.
 */
type Kind = 'timestamp' | 'timestamptz';
interface Variant {
  name: string;
  tables: Partial<Record<ClientTable, string[] | 'all'>>;
  /** Titles that must be text panels (everything else a query panel). */
  text: string[];
}

const LEAD_PANELS = ['Leads', 'Lead capture rate', 'Leads per day'];
const VARIANTS: Variant[] = [
  { name: 'UserEvents only', tables: { UserEvents: 'all' },
    text: [...LEAD_PANELS, 'Containment', 'Time to agent', 'Leads by source', 'Unanswered human requests (weekday × hour)'] },
  { name: 'UserEvents and Leads with only its required columns', tables: { UserEvents: 'all', Leads: ['id', 'sessionId', 'createdAt'] },
    text: ['Containment', 'Time to agent', 'Leads by source', 'Unanswered human requests (weekday × hour)'] },
  { name: 'everything', tables: { UserEvents: 'all', Leads: 'all', ChatLog: 'all', AgentConnection: 'all' }, text: [] },
  { name: 'no Leads', tables: { UserEvents: 'all', ChatLog: 'all', AgentConnection: 'all' }, text: [...LEAD_PANELS, 'Leads by source'] },
  { name: 'no ChatLog', tables: { UserEvents: 'all', Leads: 'all', AgentConnection: 'all' }, text: ['Containment'] },
  { name: 'no AgentConnection', tables: { UserEvents: 'all', Leads: 'all', ChatLog: 'all' },
    text: ['Time to agent', 'Unanswered human requests (weekday × hour)'] },
];
const FUNNELS = [{ mode: 'any', window: 'none' }, { mode: 'ordered', window: 'PT5M' }];
const RANGE = { from: new Date('2024-04-05T13:00:00Z'), to: new Date('2024-04-08T13:59:59.999Z') };

let db: TestDatabase;
let grafanaDb: pg.Pool;
const schemaOf = (variant: Variant, kind: Kind) => `${variant.name.replace(/\W+/g, '_').toLowerCase()}_${kind}`;

/** The variant's tables with only the columns it names, timestamps of `kind`, and a few rows so queries have data. */
async function createVariant(variant: Variant, kind: Kind): Promise<void> {
  const schema = schemaOf(variant, kind);
  await db.pool.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  for (const [table, wanted] of Object.entries(variant.tables) as [ClientTable, string[] | 'all'][]) {
    const columns = CLIENT_LAYOUT[table].filter((c) => wanted === 'all' || wanted.includes(c.name));
    const ddl = columns.map((c) => `${quoteIdent(c.name)} ${c.type === 'TEXT' ? 'TEXT' : kind === 'timestamp' ? 'TIMESTAMP(3)' : 'TIMESTAMPTZ'}`);
    await db.pool.query(`CREATE TABLE ${tableRef(schema, table)} (${ddl.join(', ')})`);
  }
  const at = (iso: string) => (kind === 'timestamp' ? iso.replace('Z', '') : iso);
  await db.pool.query(`INSERT INTO ${tableRef(schema, 'UserEvents')} ("sessionId", "pageLoaded", "widgetOpened", "requestedHuman", "pressedAccept", "createdAt", "updatedAt")
    VALUES ('a', $1, $2, $3, $4, $1, $1), ('b', $5, NULL, NULL, NULL, $5, $5)`,
  [at('2024-04-06T01:00:00Z'), at('2024-04-06T01:01:00Z'), at('2024-04-06T01:02:00Z'), at('2024-04-06T01:09:00Z'), at('2024-04-07T05:00:00Z')]);
  if (variant.tables.Leads) {
    await db.pool.query(`INSERT INTO ${tableRef(schema, 'Leads')} ("id", "sessionId", "createdAt") VALUES ('l1', 'a', $1)`, [at('2024-04-06T01:05:00Z')]);
  }
  if (variant.tables.ChatLog) {
    await db.pool.query(`INSERT INTO ${tableRef(schema, 'ChatLog')} VALUES ('m1', 'a', $1, 'user', 'hello')`, [at('2024-04-06T01:00:30Z')]);
  }
  if (variant.tables.AgentConnection) {
    await db.pool.query(`INSERT INTO ${tableRef(schema, 'AgentConnection')} VALUES ('c1', 'a', $1, $2, NULL, 'open')`, [at('2024-04-06T01:02:00Z'), at('2024-04-06T01:03:00Z')]);
  }
}

beforeAll(async () => {
  db = await createTestDatabase('grafana_variants');
  for (const variant of VARIANTS) for (const kind of ['timestamp', 'timestamptz'] as const) await createVariant(variant, kind);
  // Grafana's connection: a session TimeZone far from UTC, which no panel may depend on.
  grafanaDb = createPool({ connectionString: db.url, max: 2, options: '-c TimeZone=Pacific/Kiritimati' });
}, 60_000);
afterAll(async () => {
  await grafanaDb?.end();
  await db?.drop();
});

describe.each(VARIANTS.flatMap((variant) => (['timestamp', 'timestamptz'] as const).map((kind) => ({ ...variant, kind }))))(
  'a dashboard for a database with $name ($kind)',
  (variant) => {
    const build = async () => {
      const client = testClient('variant', 'Australia/Sydney', db.url, schemaOf(variant, variant.kind));
      return buildClientDashboard(client, 'test-datasource', await detectDashboardSource(client));
    };

    it('replaces exactly the panels it cannot fill with text saying what enables them', async () => {
      const dashboard = await build();
      expect(dashboard.panels.filter((p) => p.type === 'text').map((p) => p.title)).toEqual(variant.text);
      for (const panel of dashboard.panels) {
        if (panel.type !== 'text') continue;
        expect(panel.options.content).toMatch(/^Add an? `(Leads|ChatLog|AgentConnection)` table .* to see .* here\./);
      }
      expect(dashboardErrors(dashboard)).toEqual([]);
      for (const panel of dashboard.panels) expect(panelErrors(panel), panel.title).toEqual([]);
    });

    it.each(FUNNELS)('runs every other panel without error with mode=$mode and window=$window', async (funnel) => {
      const dashboard = await build();
      let ran = 0;
      for (const panel of dashboard.panels) {
        if (panel.type === 'text') continue;
        const sql = expandGrafanaSql(String(panel.targets[0]!.rawSql), { range: RANGE, variables: funnel });
        await expect(grafanaDb.query(sql), panel.title).resolves.toBeDefined();
        ran++;
      }
      expect(ran).toBe(16 - variant.text.length);
    });
  },
);

describe('a dashboard for a database without UserEvents', () => {
  it('is all text panels that say a UserEvents table is needed', async () => {
    await db.pool.query('CREATE SCHEMA empty');
    const client = testClient('empty', 'UTC', db.url, 'empty');
    const dashboard = buildClientDashboard(client, 'test-datasource', await detectDashboardSource(client));
    expect(new Set(dashboard.panels.map((p) => p.type))).toEqual(new Set(['text']));
    expect((dashboard.panels[0] as { options: { content: string } }).options.content).toMatch(/^Add a `UserEvents` table with `sessionId`/);
  });
});

describe('npm run grafana:dashboards -- --out DIR', () => {
  it("writes each configured client's dashboard as it fits that client's database", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboards-out-'));
    try {
      const registry = join(dir, 'clients.json');
      const entry = (id: string, schema: string) => ({ id, name: id, timezone: 'UTC', dbUrl: `${db.url}?schema=${schema}` });
      writeFileSync(registry, JSON.stringify({
        lean: entry('lean', schemaOf(VARIANTS[0]!, 'timestamptz')), full: entry('full', schemaOf(VARIANTS[2]!, 'timestamp')),
      }));
      const run = spawnSync('node_modules/.bin/tsx', ['src/cli/grafanaDashboards.ts', '--out', join(dir, 'out')], {
        env: { PATH: process.env.PATH, CLIENTS_FILE: registry }, encoding: 'utf8', timeout: 60_000,
      });
      captureProcessOutput('grafana:dashboards --out', run.stdout + run.stderr);
      expect(run.status, run.stderr).toBe(0);
      const textPanels = (id: string) => (JSON.parse(readFileSync(join(dir, 'out', `${id}.json`), 'utf8')) as { panels: { type: string; title: string }[] })
        .panels.filter((p) => p.type === 'text').map((p) => p.title);
      expect(textPanels('lean')).toEqual(VARIANTS[0]!.text);
      expect(textPanels('full')).toEqual([]);
      // Detected types: timestamp(3) columns are read as UTC wall-clock times, timestamptz ones as the instants they are.
      const utcWallClock = `(\\"pageLoaded\\" AT TIME ZONE 'UTC')`;
      expect(readFileSync(join(dir, 'out', 'lean.json'), 'utf8')).not.toContain(utcWallClock);
      expect(readFileSync(join(dir, 'out', 'full.json'), 'utf8')).toContain(utcWallClock);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
