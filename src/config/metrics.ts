import { readApiKey, type Env, type Problems } from './env.ts';

/** `/metrics`: who may read it besides an admin. */
export interface MetricsConfig {
  /** `METRICS_TOKEN`: a bearer token for Prometheus alone (it opens nothing else). A secret: never logged. */
  token: string | null;
}

export function parseMetrics(env: Env, problems: Problems): MetricsConfig {
  return { token: readApiKey(env, 'METRICS_TOKEN', problems) };
}
