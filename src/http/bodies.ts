import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { hasControlCharacters } from '../analytics/errors.ts';
import { ApiError } from './errors.ts';

type ValidatorFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator'] & {};

/**
 * Request bodies are validated as sent: no type coercion (`"false"` is no `false`, `["admin"]` no `"admin"`) and no
 * unknown field silently dropped (a mistyped `expiresAt` must not make a token that never expires). Query strings
 * and paths keep Fastify's coercion: every value there is text.
 */
export function strictBodyValidators(): ValidatorFactory {
  const standard = AjvCompiler();
  const strict = AjvCompiler();
  return (externalSchemas, options) => {
    const others = standard(externalSchemas, options);
    const customOptions = { ...options?.customOptions, coerceTypes: false, removeAdditional: false };
    const bodies = strict(externalSchemas, { ...options, customOptions } as Parameters<typeof strict>[1]);
    return (route) => (route.httpPart === 'body' ? bodies : others)(route);
  };
}

/**
 * Where in the body a string (or field name) with a control character is, or null. It walks with a stack of its own,
 * so no depth of nesting can overflow the call stack (a 500).
 */
function controlCharacterAt(body: unknown, root: string): string | null {
  const pending: [unknown, string][] = [[body, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (hasControlCharacters(value)) return path;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const entries = Object.entries(value);
    for (const [key] of entries) if (hasControlCharacters(key)) return path;
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i]!;
      pending.push([inner, path ? `${path}.${key}` : key]);
    }
  }
  return null;
}

async function jsonOnly(request: FastifyRequest) {
  const type = request.headers['content-type'];
  if (type !== undefined && type.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'body: must be JSON (Content-Type: application/json)');
  }
}

async function noControlCharacters(request: FastifyRequest) {
  const field = controlCharacterAt(request.body, '');
  if (field !== null) throw new ApiError(400, 'INVALID_PARAMETER', `${field || 'body'}: must not contain control characters`);
}

const asList = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

/**
 * The JSON API's operations that take a body (the pages' own form posts are hidden from the document) take JSON — 415
 * for anything else, forms included — whose text holds no control characters (400 naming the field): PostgreSQL text
 * cannot hold NUL, and no name, email, URL or password we keep has any. Added to those routes only: the media type is
 * checked once the caller is known, the text once the body is valid (and, on admin routes, the caller an admin).
 */
export function installBodyRules(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.schema?.body || route.schema.hide) return;
    route.preParsing = [...asList(route.preParsing), jsonOnly];
    route.preHandler = [...asList(route.preHandler), noControlCharacters];
  });
}
