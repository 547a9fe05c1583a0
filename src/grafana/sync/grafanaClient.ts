/** A thin JSON client for Grafana's HTTP API as the server admin (basic auth). Counts its writes; never echoes secrets. */

export interface GrafanaClientOptions {
  url: string;
  user: string;
  password: string;
  fetch?: typeof fetch;
}

/** Grafana answered with an error status. The message is Grafana's own (it never contains our secrets). */
export class GrafanaApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly grafanaMessage: string,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}${grafanaMessage ? ` (${grafanaMessage})` : ''}`);
    this.name = 'GrafanaApiError';
  }
}

/** Sync cannot go on at all (unreachable Grafana, wrong credentials, not a server admin). */
export class GrafanaSyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrafanaSyncError';
  }
}

export interface Response<T> {
  status: number;
  data: T;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class GrafanaClient {
  /** Number of write requests (POST/PUT/PATCH/DELETE) sent so far. */
  writes = 0;
  /** The address without any user info, safe to print. */
  readonly origin: string;
  private readonly base: string;
  private readonly authorization: string;
  private readonly fetch: typeof fetch;

  constructor(options: GrafanaClientOptions) {
    const parsed = new URL(options.url);
    this.origin = parsed.origin;
    this.base = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
    this.authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** GET that answers null for 404 (the resource does not exist). */
  async find<T>(path: string, orgId?: number): Promise<T | null> {
    const response = await this.request<T>('GET', path, { orgId, accept: [404] });
    return response.status === 404 ? null : response.data;
  }

  async get<T>(path: string, orgId?: number): Promise<T> {
    return (await this.request<T>('GET', path, { orgId })).data;
  }

  async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, orgId?: number): Promise<T> {
    return (await this.request<T>(method, path, { orgId, body })).data;
  }

  /** Any request; statuses in `accept` come back instead of throwing. `orgId` picks the organization (X-Grafana-Org-Id). */
  async request<T>(method: string, path: string, options: { orgId?: number; body?: unknown; accept?: number[] } = {}): Promise<Response<T>> {
    const headers: Record<string, string> = { Authorization: this.authorization, Accept: 'application/json' };
    if (options.orgId !== undefined) headers['X-Grafana-Org-Id'] = String(options.orgId);
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (WRITE_METHODS.has(method)) this.writes++;
    let response: globalThis.Response;
    try {
      response = await this.fetch(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new GrafanaSyncError(`cannot reach Grafana at ${this.origin} (${cause})`);
    }
    const data = parseJson(await response.text());
    if (response.ok || options.accept?.includes(response.status)) return { status: response.status, data: data as T };
    if (response.status === 401) {
      throw new GrafanaSyncError(`Grafana at ${this.origin} rejected the admin credentials (401); check GRAFANA_ADMIN_USER and GRAFANA_ADMIN_PASSWORD`);
    }
    const message = typeof (data as { message?: unknown })?.message === 'string' ? (data as { message: string }).message : '';
    throw new GrafanaApiError(response.status, method, path, message, data);
  }
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 200);
  }
}
