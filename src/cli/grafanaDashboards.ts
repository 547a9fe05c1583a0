import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { DASHBOARDS_DIR, renderDashboardFiles } from '../grafana/dashboardFiles.ts';
import { detectDashboardSource } from '../grafana/dashboardSource.ts';
import { renderPlatformGrafanaFiles } from '../grafana/platformFiles.ts';
import type { ClientSource } from '../tenants/clientSource.ts';

const USAGE = 'usage: npm run grafana:dashboards [-- --out DIR]';

/**
 * `npm run grafana:dashboards`: regenerates the committed demo dashboards (the registry's clients, standard layout).
 * With `--out DIR`: each configured client's dashboard as it fits that client's database, to DIR/<clientId>.json.
 * Without it, also the platform's own dashboard and its Grafana provisioning (deploy/grafana).
 */
async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  let out: string | undefined;
  try {
    out = parseArgs({ options: { out: { type: 'string' } } }).values.out;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const config = loadConfig(out ? process.env : {}); // the committed files never depend on this machine's .env
  const dir = out ? resolve(out) : DASHBOARDS_DIR;
  const sources = new Map<string, ClientSource>();
  let failed = 0;
  if (out) {
    for (const client of config.clients) {
      try {
        sources.set(client.id, await detectDashboardSource(client, config.db.connectTimeoutMs));
      } catch (error) {
        failed++;
        console.error(`${client.id}: cannot read its database's layout (${(error as { code?: string }).code ?? (error as Error).message}); no dashboard written`);
      }
    }
  }
  const clients = out ? config.clients.filter((c) => sources.has(c.id)) : config.clients;
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of renderDashboardFiles(clients, config.grafana.datasourceUid, sources)) {
    writeFileSync(join(dir, file), content);
    console.log(`wrote ${join(dir, file)}`);
  }
  if (!out) {
    for (const [path, content] of renderPlatformGrafanaFiles()) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote ${path}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `grafana:dashboards failed: ${(error as Error).message}`);
  process.exit(1);
});
