import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { LogFormat } from '../config/logging.ts';

/** Secrets never reach the logs, whatever a future serializer includes. */
export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'];

/**
 * Invitation and password-reset links carry their token in the path (`/invitations/<token>`,
 * `/password-reset/<token>`): logged as `[token]`. `accept`, `complete` and ids (UUIDs) are no tokens and stay.
 */
const LINK_TOKEN = /(\/(?:invitations|password-reset)\/)(?!(?:accept|complete|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/?#]|$))[^/?#]+/gi;
/** The single sign-on callback's authorization code and state (`/auth/oidc/callback?code=…&state=…`): logged as `[redacted]`. */
const withoutCallbackSecrets = (url: string) => (/^\/auth\/oidc\/callback\?/i.test(url)
  ? url.replace(/([?&])(code|state)=[^&#]*/gi, '$1$2=[redacted]')
  : url);
export const withoutLinkTokens = (url: string) => withoutCallbackSecrets(url.replace(LINK_TOKEN, '$1[token]'));

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number } | null;
  headers?: Record<string, unknown>;
}

/** Fastify's own `req` serializer ("incoming request", errors), with link tokens taken out of the URL. */
function req(request: LoggedRequest) {
  if (request === null || typeof request !== 'object') return request;
  return {
    method: request.method,
    url: typeof request.url === 'string' ? withoutLinkTokens(request.url) : request.url,
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The one way the platform makes a logger (the server, and tests that capture what it writes). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: LOG_REDACT, serializers: { req } }, destination);
}

/** `LOG_FORMAT` wins; unset, a person at a terminal reads pretty lines and everything else (Docker, files) gets JSON. */
export function chooseLogFormat(setting: LogFormat | null, stdoutIsTTY: boolean): LogFormat {
  return setting ?? (stdoutIsTTY ? 'pretty' : 'json');
}

/**
 * Lines a person reads: time, level and message, the other fields below. Synchronous, so nothing is lost when the
 * process exits right after logging; pino redacts before the line reaches it.
 */
export function prettyStream(destination?: NodeJS.WritableStream, colorize?: boolean): DestinationStream {
  return PinoPretty({
    sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname',
    ...(destination ? { destination } : {}), ...(colorize === undefined ? {} : { colorize }),
  });
}

/** The server's logger on stdout, in the chosen format. */
export function createStdoutLogger(level: string, setting: LogFormat | null, stdoutIsTTY = process.stdout.isTTY === true): Logger {
  return createLogger(level, chooseLogFormat(setting, stdoutIsTTY) === 'pretty' ? prettyStream() : undefined);
}
