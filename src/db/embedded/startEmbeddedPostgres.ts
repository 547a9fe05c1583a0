import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './pgliteWorker.ts';

/** pglite-socket refuses (does not queue) connections over this limit: size `pg` pools at or below it. */
export const EMBEDDED_MAX_CONNECTIONS = 8;

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

export interface EmbeddedPostgres {
  url: string;
  maxConnections: number;
  stop(): Promise<void>;
}

/**
 * Node 20 does not apply module hooks registered with `--import tsx` inside worker threads (a `.ts` worker fails
 * with ERR_UNKNOWN_FILE_EXTENSION whether execArgv is inherited or passed). tsx's `tsImport` works there, so the
 * worker boots from a one-line script that loads the TypeScript file through it, under tsx or vitest alike.
 */
function spawnTsWorker(file: URL, workerData: unknown): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api'); // the ESM build; the CJS one fails when imported
  const target = JSON.stringify(file.href);
  const boot = `import(${JSON.stringify(tsxApi)}).then((api) => api.tsImport(${target}, ${target}))`;
  return new Worker(boot, { eval: true, execArgv: [], workerData });
}

/**
 * Starts an in-memory PostgreSQL (PGlite) on 127.0.0.1 with a random port, in a worker thread.
 * `onCrash` hears a worker error after start-up (the URL then stops answering); default: console.error.
 */
export function startEmbeddedPostgres(
  opts: { onCrash?: (error: Error) => void } = {},
): Promise<EmbeddedPostgres> {
  const worker = spawnTsWorker(new URL('./pgliteWorker.ts', import.meta.url), {
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });

  return new Promise((resolve, reject) => {
    const fail = (reason: string) => {
      cleanup();
      worker.on('error', () => {}); // being terminated: a late error must not become an uncaught 'error' event
      void worker.terminate();
      reject(new Error(`Embedded PostgreSQL (PGlite) failed to start: ${reason}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onMessage = (message: WorkerReply) => {
      if (message.type === 'error') return fail(message.message);
      if (message.type !== 'ready') return;
      cleanup();
      worker.on('error', opts.onCrash ?? ((error) => console.error('Embedded PostgreSQL worker crashed:', error)));
      resolve({
        url: `postgres://postgres@${message.host}:${message.port}/postgres`,
        maxConnections: EMBEDDED_MAX_CONNECTIONS,
        stop: once(() => stopWorker(worker)),
      });
    };
    const onError = (error: Error) => fail(error.stack ?? error.message);
    const onExit = (code: number) => fail(`worker exited with code ${code}`);
    const cleanup = () => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/** Asks the worker to close its server and PGlite, but terminates it regardless after a short wait. */
async function stopWorker(worker: Worker): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<void>((resolve) => {
    const done = () => resolve();
    worker.on('message', (message: WorkerReply) => message.type === 'stopped' && done());
    worker.once('exit', done).once('error', done);
    timer = setTimeout(done, STOP_TIMEOUT_MS);
  });
  worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
  await stopped;
  clearTimeout(timer);
  await worker.terminate();
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
