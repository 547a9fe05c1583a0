import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLogger } from '../../src/main/logger.ts';

/** Every log line the platform writes during `npm test` lands here; the global teardown scans it for secrets. */
export const LOG_DIR = join('test-artifacts', 'logs');

/** This run's folder (set by the global setup, so runs side by side never mix or delete each other's logs). */
const runDir = () => process.env.TEST_LOG_DIR ?? join(LOG_DIR, 'unscanned');
const file = () => join(runDir(), `${process.pid}.ndjson`);

/**
 * The platform's own logger (same redaction as production), at debug level, appending to this worker's file; with
 * `lines`, every line is also kept there for the test to read.
 */
export function capturedLogger(lines?: string[]) {
  mkdirSync(runDir(), { recursive: true });
  const toFile = pino.destination({ dest: file(), sync: true, append: true });
  if (!lines) return createLogger('debug', toFile);
  return createLogger('debug', pino.multistream([{ level: 'debug', stream: toFile }, { level: 'debug', stream: { write: (line: string) => void lines.push(line) } }]));
}

/** What a spawned platform process printed (start, seed, shutdown tests). */
export function captureProcessOutput(name: string, output: string): void {
  mkdirSync(runDir(), { recursive: true });
  appendFileSync(file(), `${JSON.stringify({ process: name, output })}\n`);
}
