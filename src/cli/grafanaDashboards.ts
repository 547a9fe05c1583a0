import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { loadConfig } from '../config/loadConfig.ts';
import { DASHBOARDS_DIR, renderDashboardFiles } from '../grafana/dashboardFiles.ts';

/** `npm run grafana:dashboards`: regenerates the committed dashboard JSON from the metric definitions. */
loadDotenv({ quiet: true });
const config = loadConfig();
mkdirSync(DASHBOARDS_DIR, { recursive: true });
for (const [file, content] of renderDashboardFiles(config.clients, config.grafana.datasourceUid)) {
  writeFileSync(join(DASHBOARDS_DIR, file), content);
  console.log(`wrote ${join(DASHBOARDS_DIR, file)}`);
}
