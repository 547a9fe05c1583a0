import http from 'node:http';
import https from 'node:https';
import { guardedLookup } from './webhookAddress.ts';

export interface WebhookResponse {
  /** The HTTP status, or null when no answer came (then `error` is the code: ETIMEDOUT, ECONNREFUSED, …). */
  status: number | null;
  error: string | null;
}

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
}

const CODE = /^E[A-Z0-9_]{2,30}$/;

/**
 * POSTs a JSON body and says how the receiver answered: its status, or an error code. Redirects are not followed
 * (a 3xx is a failure: following one could lead past the address check), and what the receiver wrote is read and
 * dropped, never kept or logged. Addresses are checked at connection time (see webhookAddress.ts).
 */
export function postWebhook(url: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<WebhookResponse> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: WebhookResponse) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const request = transport.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'chatbot-analytics-webhooks/1', ...headers },
      lookup: guardedLookup(options.allowPrivate) as never,
      timeout: options.timeoutMs,
      agent: false,
    }, (response) => {
      response.on('data', () => {}); // drained, not kept
      response.on('end', () => finish({ status: response.statusCode ?? null, error: null }));
      response.on('error', () => finish({ status: response.statusCode ?? null, error: null }));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, error: error.code && CODE.test(error.code) ? error.code : 'EREQUEST' }));
    request.end(body);
  });
}
