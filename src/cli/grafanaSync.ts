import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { formatReport, GrafanaSyncError, syncGrafana } from '../grafana/sync/index.ts';

/** The server's start-up (GRAFANA_SYNC_ON_START=1) imports it from here or from src/grafana/sync/index.ts. */
export { syncGrafana, formatReport } from '../grafana/sync/index.ts';

const USAGE = 'usage: npm run grafana:sync [-- --rotate-secrets]';

/** `npm run grafana:sync`: creates or repairs every client's Grafana org, data source, dashboard and viewer user. */
async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  let rotateSecrets: boolean;
  try {
    rotateSecrets = parseArgs({ options: { 'rotate-secrets': { type: 'boolean', default: false } } }).values['rotate-secrets'];
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const config = loadConfig();
  const missing = [!config.grafana.url && 'GRAFANA_URL', !config.grafana.adminPassword && 'GRAFANA_ADMIN_PASSWORD'].filter(Boolean);
  if (missing.length > 0) {
    console.error(`grafana:sync needs ${missing.join(' and ')} (see .env.example); nothing was changed`);
    return 1;
  }
  const report = await syncGrafana(config, { log: (message) => console.log(message), rotateSecrets });
  console.log(formatReport(report));
  return report.failures.length > 0 ? 1 : 0;
}

// Only when run as a script, so importing this module for `syncGrafana` has no side effects.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError || error instanceof GrafanaSyncError) console.error(error.message);
      else console.error(`grafana:sync failed: ${(error as Error).message}`); // our messages never carry URLs or passwords
      process.exit(1);
    },
  );
}
