import type { AppConfig } from '../config/loadConfig.ts';
import { buildApp } from '../http/app.ts';
import { createLogger } from './logger.ts';
import { startRuntime } from './runtime.ts';

/**
 * Starts the API: the runtime (registry, pools, platform database, rollups, Grafana follower), HTTP, SIGHUP to
 * re-read the client registry file, and a graceful shutdown on SIGTERM/SIGINT.
 */
export async function startServer(config: AppConfig) {
  const log = createLogger(config.logLevel);
  const runtime = await startRuntime(config, log, { watchRegistryFile: true });
  const app = await buildApp(runtime.context(), { loggerInstance: log });

  const reload = () => void runtime.registryFile?.reload('SIGHUP');
  process.on('SIGHUP', reload);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.off('SIGHUP', reload);
    log.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    // Keep-alive sockets that finish their last response while we drain would hold close() open until they time
    // out: close each one as soon as it is idle (in-flight requests are never cut).
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    await app.close();
    clearInterval(sweep);
    await runtime.close();
    log.info('shutdown complete');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  return app;
}
