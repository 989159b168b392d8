import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../../api/errors.js';
import type { KeyService } from '../../services/keys/key-service.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route reachable without a bearer key (signed file links, docs, health). */
    public?: boolean;
  }
}

export function bearerKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Every REST route needs a long-lived key in `Authorization: Bearer`; temporary
 * keys are for the WebSocket only and are refused here.
 */
export function registerAuth(app: FastifyInstance, keys: KeyService): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public) return;
    if (!request.url.startsWith('/v1/')) return;
    const key = bearerKey(request);
    if (!key || !keys.isLongLivedKey(key)) throw errors.unauthenticated();
  });
}
