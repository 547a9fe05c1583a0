import http from 'node:http';

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/**
 * GETs over keep-alive connections: one by default (sequential calls), or up to `maxSockets` for concurrent callers.
 * The time is from sending the request to the last body byte.
 */
export class ApiClient {
  private readonly agent: http.Agent;

  constructor(readonly baseUrl: string, private readonly token: string, maxSockets = 1) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  get authorization(): string {
    return `Bearer ${this.token}`;
  }

  get(path: string): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.get(new URL(path, this.baseUrl), { agent: this.agent, headers: { authorization: this.authorization } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        }));
        res.on('error', reject);
      });
      request.on('error', reject);
    });
  }

  /** A GET that must answer 200 with JSON. */
  async json(path: string): Promise<ApiResponse & { json: Record<string, unknown> }> {
    const response = await this.get(path);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${response.body.slice(0, 300)}`);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  }

  close(): void {
    this.agent.destroy();
  }
}
