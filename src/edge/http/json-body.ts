import type { FastifyInstance } from 'fastify';
import { errors } from '../../api/errors.js';
import { MAX_JSON_DEPTH, exceedsJsonDepth } from '../../api/json-depth.js';

/**
 * Parses `application/json` bodies. The nesting depth is checked on the text,
 * before `JSON.parse`, so nothing deeper than {@link MAX_JSON_DEPTH} ever
 * reaches validation, storage or a list page's serialisation.
 *
 * @throws ApiError 400 `invalid_request` (`json_invalid` at `body`) for
 *   malformed or too deeply nested JSON.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  // The Soniox SDK sends `Content-Type: application/json` on bodiless GET and
  // DELETE requests too, so an empty JSON body must be accepted.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    if (exceedsJsonDepth(text)) {
      return done(
        errors.invalidRequest([
          { errorType: 'json_invalid', location: 'body', message: `JSON is nested too deeply (max depth ${MAX_JSON_DEPTH})` },
        ]),
        undefined,
      );
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(errors.invalidRequest([{ errorType: 'json_invalid', location: 'body', message: 'JSON decode error' }]), undefined);
    }
  });
}
