import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * Runs inside a worker thread: PGlite executes queries synchronously in WASM, so on the main thread it would freeze
 * the HTTP server. Here it sits behind pglite-socket and the app talks to it with `pg` over TCP, like production.
 */
export type WorkerRequest = { type: 'stop' };
export type WorkerReply =
  | { type: 'ready'; host: string; port: number }
  | { type: 'error'; message: string }
  | { type: 'stopped' };

const { maxConnections } = workerData as { maxConnections: number };
const port = parentPort;
if (!port) throw new Error('pgliteWorker.ts must run in a worker thread');
const reply = (message: WorkerReply) => port.postMessage(message);

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;

async function start(): Promise<void> {
  db = await PGlite.create(); // in memory: the demo is rebuilt on every start
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:<port>" once listening on port 0
  const sep = conn.lastIndexOf(':');
  reply({ type: 'ready', host: conn.slice(0, sep), port: Number(conn.slice(sep + 1)) });
}

async function stop(): Promise<void> {
  try {
    await server?.stop();
    await db?.close();
  } finally {
    reply({ type: 'stopped' });
  }
}

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'stop') void stop();
});

start().catch((error: unknown) => {
  reply({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
});
