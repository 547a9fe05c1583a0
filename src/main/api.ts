import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/loadConfig.ts';
import { buildApp } from '../http/app.ts';
import { createStdoutLogger } from './logger.ts';
import { startRuntime, type Runtime } from './runtime.ts';

/**
 * Starts the API: the runtime (registry, pools, platform database, rollups, Grafana follower), HTTP, SIGHUP to
 * re-read the client registry file, and a graceful shutdown on SIGTERM/SIGINT — also while it is still starting.
 */
export async function startServer(config: AppConfig) {
  const log = createStdoutLogger(config.logLevel, config.logFormat);
  let runtime: Runtime | null = null;
  let app: FastifyInstance | null = null;
  let closing = false;

  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    if (app) {
      // Keep-alive sockets that finish their last response while we drain would hold close() open until they time
      // out: close each one as soon as it is idle (in-flight requests are never cut).
      const sweep = setInterval(() => app?.server.closeIdleConnections(), 100);
      await app.close();
      clearInterval(sweep);
    }
    await runtime?.close();
    log.info('shutdown complete');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void runtime?.registryFile?.reload('SIGHUP'));

  runtime = await startRuntime(config, log, { watchRegistryFile: true });
  if (closing) return null; // a signal came while starting; shutdown() finishes the job
  app = await buildApp(runtime.context(), { loggerInstance: log });
  await app.listen({ port: config.port, host: config.host });
  return app;
}
