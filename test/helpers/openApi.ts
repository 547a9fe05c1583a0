import type { FastifyInstance } from 'fastify';
import { buildTestApp, testClient } from './buildTestApp.ts';

/** What the security tests read from the app's own OpenAPI document (`/openapi.json`): its operations and their inputs. */
export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required: boolean;
  description?: string;
  schema: Record<string, unknown>;
}

export interface OpenApiOperation {
  method: string;
  /** The path template, e.g. `/api/{clientId}/sessions/{sessionId}`. */
  path: string;
  parameters: OpenApiParameter[];
  /** Documented status codes, e.g. `['200', '400', '401']`. */
  statuses: string[];
  /** The documented 200 JSON schema, when there is one. */
  okSchema: Record<string, unknown> | null;
  /** The content types the 200 is documented in (`application/json`; `text/html` for a preview, `text/plain` for /metrics). */
  okTypes: string[];
  /** The JSON request body's schema (OpenAPI 3.0: `nullable`), when the operation takes one. */
  bodySchema: Record<string, unknown> | null;
}

interface Document {
  paths: Record<string, Record<string, {
    parameters?: OpenApiParameter[];
    requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
    responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
  }>>;
}

export async function openApiOperations(app: FastifyInstance): Promise<OpenApiOperation[]> {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Document>();
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      statuses: Object.keys(op.responses ?? {}),
      okSchema: op.responses?.['200']?.content?.['application/json']?.schema ?? null,
      okTypes: Object.keys(op.responses?.['200']?.content ?? {}),
      bodySchema: op.requestBody?.content?.['application/json']?.schema ?? null,
    })),
  );
}

/** The operations of the document an app with one (database-less) client publishes: for building test tables. */
export async function documentedOperations(): Promise<OpenApiOperation[]> {
  const app = await buildTestApp([testClient('alpha', 'UTC', null)]);
  try {
    return await openApiOperations(app);
  } finally {
    await app.close();
  }
}

export const pathParams = (op: OpenApiOperation) => op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
export const queryParams = (op: OpenApiOperation) => op.parameters.filter((p) => p.in === 'query');

/** The template with each `{name}` replaced by its (already URL-encoded) value. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${template}`);
    return value;
  });
}
