import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiError } from '../../api/errors.js';

/**
 * An `onRequest` hook that refuses a body whose declared length is over
 * `maxBytes` from the headers, before a byte of it is read; the connection
 * then closes rather than read the rest.
 */
export function refuseDeclaredLengthOver(maxBytes: number, tooLarge: () => ApiError) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (Number(request.headers['content-length'] ?? 0) > maxBytes) {
      reply.header('connection', 'close');
      throw tooLarge();
    }
  };
}
