import type { AppConfig } from '../config/loadConfig.ts';
import { createStdoutLogger } from './logger.ts';
import { startRuntime, type Runtime } from './runtime.ts';

/**
 * A worker process: the runtime (platform database, registry, pools, jobs) without HTTP, taking jobs beside API
 * replicas started with `JOBS_WORK=0`. SIGTERM/SIGINT stop it gracefully: running jobs finish (up to the grace
 * period); a job cut short by a kill is retried elsewhere once it expires.
 */
export async function startWorker(config: AppConfig): Promise<Runtime> {
  const log = createStdoutLogger(config.logLevel, config.logFormat);
  if (!config.jobs.work) log.warn('JOBS_WORK=0: this worker takes no jobs');
  const runtime = await startRuntime(config, log, { watchRegistryFile: true });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'worker shutting down');
    const force = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
    force.unref();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void runtime.registryFile?.reload('SIGHUP'));
  log.info({ pid: process.pid }, 'worker started: taking jobs');
  return runtime;
}
