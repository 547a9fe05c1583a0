import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { DEFAULT_GRAFANA_PROVISIONING_DIR, renderProvisioning, writeProvisioning } from '../grafana/provisioning.ts';

const USAGE = `usage: npm run grafana:provisioning -- --out DIR [--grafana-dir PATH (default ${DEFAULT_GRAFANA_PROVISIONING_DIR})]`;

class UsageError extends Error {}

/** `npm run grafana:provisioning -- --out DIR`: writes Grafana provisioning files for every client org. */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  let values: { out?: string; 'grafana-dir'?: string };
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, 'grafana-dir': { type: 'string' } } }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.out) throw new UsageError('--out is required');
  const config = loadConfig();
  const { files, skipped, passwordVariables, warnings } = await renderProvisioning(config, { grafanaDir: values['grafana-dir'] });
  const out = resolve(values.out);
  writeProvisioning(out, files);
  for (const file of files) console.log(`wrote ${file.path}`);
  for (const reason of skipped) console.log(`skipped ${reason}`);
  for (const warning of warnings) console.log(`WARNING ${warning}`);
  if (passwordVariables.length > 0) console.log(`Grafana needs these in its environment: ${passwordVariables.join(', ')}`);
  console.log(`Mount ${out} as ${values['grafana-dir'] ?? DEFAULT_GRAFANA_PROVISIONING_DIR}; the organizations must already exist.`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
  else if (error instanceof ConfigError) console.error(error.message);
  else console.error(`grafana:provisioning failed: ${(error as Error).message}`);
  process.exit(1);
});
