import { errors } from '../../api/errors.js';
import { isUuid, validate, type Schema } from '../../api/validation.js';

/** For bodies serialised by the route itself (list pages), as Fastify labels its own. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Validates a JSON body against its schema.
 * @throws ApiError 400 `invalid_request` listing every issue.
 */
export function parseBody<T>(schema: Schema, body: unknown): T {
  if (body === undefined || body === null) {
    throw errors.invalidRequest([{ errorType: 'missing', location: 'body.payload', message: 'Field required' }]);
  }
  const issues = validate(schema, body, 'body.payload');
  if (issues.length > 0) throw errors.invalidRequest(issues);
  return body as T;
}

/** Validates a query string; numbers and booleans arrive as text. */
export function parseQuery(schema: Schema, query: unknown): Record<string, string | undefined> {
  const issues = validate(schema, query ?? {}, 'query', true);
  if (issues.length > 0) throw errors.invalidRequest(issues);
  return (query ?? {}) as Record<string, string | undefined>;
}

export function optionalInt(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}

/** Ids are UUIDs; anything else cannot exist, so it is reported as not found. */
export function requireUuid(id: string, notFound: () => Error): string {
  if (!isUuid(id)) throw notFound();
  return id.toLowerCase();
}
