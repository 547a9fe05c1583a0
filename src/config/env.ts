/** Environment parsing helpers that record problems instead of throwing, so start-up can list every bad key. */
export type Env = Record<string, string | undefined>;

export class Problems {
  readonly list: string[] = [];
  add(key: string, message: string): void {
    this.list.push(`${key}: ${message}`);
  }
}

/** Start-up stops with this: every bad key at once, never a value (values may be secrets). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function readString(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

export function readInt(env: Env, key: string, fallback: number, min: number, max: number, problems: Problems): number {
  const raw = readString(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.add(key, `must be an integer between ${min} and ${max}`);
    return fallback;
  }
  return value;
}

export function readBool(env: Env, key: string, problems: Problems): boolean | undefined {
  const raw = readString(env, key)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  problems.add(key, 'must be 1/true or 0/false');
  return undefined;
}

/** `maple` → `MAPLE_API_KEY`; `my-shop` → `MY_SHOP_API_KEY`. */
export function clientKeyVariable(clientId: string): string {
  return `${clientId.toUpperCase().replace(/-/g, '_')}_API_KEY`;
}

/** `maple` → `MAPLE_GRAFANA_DB_URL`. */
export function clientGrafanaDbVariable(clientId: string): string {
  return `${clientId.toUpperCase().replace(/-/g, '_')}_GRAFANA_DB_URL`;
}

/** An API key from the environment: long enough to resist guessing, or a problem. */
export function readApiKey(env: Env, key: string, problems: Problems): string | null {
  const value = readString(env, key);
  if (value === undefined) return null;
  if (value.length < 16) problems.add(key, 'must be at least 16 characters');
  return value;
}
