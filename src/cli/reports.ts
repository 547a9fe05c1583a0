import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { createStdoutLogger } from '../main/logger.ts';
import { startRuntime } from '../main/runtime.ts';
import { composeClientReport, composeDigest } from '../notify/reports/compose.ts';
import { recipientsProblem } from '../notify/reports/recipients.ts';
import { reportDepsFor } from '../notify/reports/reportDeps.ts';
import { scheduleOf } from '../notify/reports/reportSchedules.ts';
import { DIGEST_SCOPE, lastFullPeriod } from '../notify/reports/schedule.ts';

const USAGE = `usage: npm run reports -- send --client ID --to EMAIL [--kind weekly|monthly]
       npm run reports -- send --digest --to EMAIL
Sends the report for the last full local week (or month) now, to that address only; the schedules are not touched.`;

class UsageError extends Error {}

interface SendArgs {
  clientId: string | null;
  kind: 'weekly' | 'monthly';
  to: string;
}

export function parseSendArgs(argv: string[]): SendArgs {
  const [command, ...rest] = argv;
  if (command !== 'send') throw new UsageError(`unknown command "${command ?? ''}"`);
  const { values } = parseArgs({ args: rest, options: { client: { type: 'string' }, to: { type: 'string' }, kind: { type: 'string', default: 'weekly' }, digest: { type: 'boolean', default: false } } });
  if (!values.to || recipientsProblem([values.to])) throw new UsageError(`--to: "${values.to ?? ''}" is not an email address`);
  if (values.kind !== 'weekly' && values.kind !== 'monthly') throw new UsageError(`--kind: "${values.kind}" is not weekly or monthly`);
  if (values.digest === Boolean(values.client)) throw new UsageError('give either --client ID or --digest');
  return { clientId: values.digest ? null : values.client!, kind: values.kind, to: values.to };
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  loadDotenv({ quiet: true });
  let args: SendArgs;
  try {
    args = parseSendArgs(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return console.error(error.message), 1;
    throw error;
  }
  const log = createStdoutLogger(config.logLevel === 'debug' ? 'debug' : 'warn', config.logFormat);
  // This process sends one message and leaves: it takes no jobs.
  const runtime = await startRuntime({ ...config, jobs: { ...config.jobs, work: false } }, log);
  try {
    const deps = reportDepsFor({
      platform: runtime.platform.pool, clients: runtime.registry, databases: runtime.databases, cache: runtime.cache,
      rollups: runtime.rollups?.reader ?? null, mailer: runtime.mailer, log, publicUrl: config.access.publicUrl,
    });
    const now = new Date();
    let email;
    if (args.clientId === null) {
      const schedule = await scheduleOf(deps.platform, DIGEST_SCOPE, 'digest', now);
      email = (await composeDigest(deps, lastFullPeriod('digest', now, schedule.timezone ?? 'UTC'))).emailFor({ clients: 'all' });
    } else {
      const client = runtime.registry.get(args.clientId);
      if (!client) return console.error(`--client: no client "${args.clientId}" (see clients.json or the Clients page)`), 1;
      email = await composeClientReport(deps, client, args.kind, lastFullPeriod(args.kind, now, client.timezone));
    }
    const delivery = await runtime.mailer.send({ ...email, to: args.to });
    const where = delivery.status === 'sent' ? 'sent over SMTP' : delivery.status === 'outbox-only' ? 'kept in the outbox (no SMTP_URL, or demo data)' : `NOT sent (${delivery.error})`;
    console.log(`${email.subject}\n→ ${args.to}: ${where}; outbox #${delivery.outboxId ?? '?'}`);
    return delivery.status === 'failed' ? 1 : 0;
  } finally {
    await runtime.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then((code) => process.exit(code), (error: Error) => {
    console.error(`reports: ${error.message}`);
    process.exit(1);
  });
}
