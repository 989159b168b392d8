import type { FastifyInstance } from 'fastify';
import { openApiDocument } from '../../api/openapi.js';

/** The OpenAPI document of what this server serves, and a liveness probe; both without a key. */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  const document = openApiDocument();
  app.get('/v1/openapi.json', { config: { public: true } }, async () => document);
  app.get('/health', { config: { public: true } }, async () => ({ status: 'ok' }));
}
