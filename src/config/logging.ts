import { readString, type Env, type Problems } from './env.ts';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `LOG_FORMAT`: json | pretty; unset (null) picks pretty on a terminal and JSON otherwise. */
export function parseLogFormat(env: Env, problems: Problems): LogFormat | null {
  const raw = readString(env, 'LOG_FORMAT')?.toLowerCase();
  if (raw === undefined) return null;
  if ((LOG_FORMATS as readonly string[]).includes(raw)) return raw as LogFormat;
  problems.add('LOG_FORMAT', `must be one of ${LOG_FORMATS.join(', ')} (unset: pretty on a terminal, JSON otherwise)`);
  return null;
}
