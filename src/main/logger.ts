import { pino, type DestinationStream, type Logger } from 'pino';

/** Secrets never reach the logs, whatever a future serializer includes. */
export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'];

/** The one way the platform makes a logger (the server, and tests that capture what it writes). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: LOG_REDACT }, destination);
}
