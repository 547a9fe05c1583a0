import type { FastifyInstance } from 'fastify';
import type { PlatformMetrics } from '../metrics/platformMetrics.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** A client's own endpoints: what counts as one of its answers (pages and the Grafana redirect do not). */
const CLIENT_ROUTE = /^\/api\/:clientId\//;

/**
 * Every response is timed under its route pattern (`/api/:clientId/funnel`, never the URL: the label stays bounded)
 * and status; answers of a client's endpoints are counted under its id, when the registry knows it, with the error
 * code of a failed one (read back from our one error shape, so every failure path counts the same).
 */
export function installRequestMetrics(app: FastifyInstance, metrics: PlatformMetrics): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url;
    if (reply.statusCode < 500 || !route || !CLIENT_ROUTE.test(route) || typeof payload !== 'string') return payload;
    const clientId = (request.params as { clientId?: unknown } | undefined)?.clientId;
    if (!metrics.knownClient(clientId)) return payload;
    let code = 'OTHER';
    try {
      code = String((JSON.parse(payload) as { error?: { code?: unknown } }).error?.code ?? 'OTHER');
    } catch {
      // not our error shape (a stream cut short): counted as OTHER
    }
    metrics.countClientError(clientId, code);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    metrics.httpDuration.observe({ method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 400 || !CLIENT_ROUTE.test(route)) return;
    const clientId = (request.params as { clientId?: unknown } | undefined)?.clientId;
    if (metrics.knownClient(clientId)) metrics.clientAnswers.inc({ client: clientId });
  });
}
