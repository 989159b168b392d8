import type { FastifyInstance, HTTPMethods } from 'fastify';
import { errors } from '../../api/errors.js';

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Wrong method on a known path: 405 with `Allow`, in the ApiError body, not
 * the 404 the router would give. Routes are recorded as they are added; once
 * all are in, each path gets one more route for the methods it lacks. Those
 * routes are public only when every route of their path is, so without a key
 * they answer 401 like any other path.
 */
export function registerMethodNotAllowed(app: FastifyInstance): { addMethodNotAllowedRoutes(): void } {
  const paths = new Map<string, { methods: Set<string>; public: boolean }>();
  app.addHook('onRoute', (route) => {
    const entry = paths.get(route.url) ?? { methods: new Set<string>(), public: true };
    for (const method of [route.method].flat()) entry.methods.add(method);
    // Fastify answers HEAD for every GET route.
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
    entry.public &&= route.config?.public === true;
    paths.set(route.url, entry);
  });
  return {
    addMethodNotAllowedRoutes() {
      for (const [url, entry] of [...paths]) {
        const missing = METHODS.filter((m) => !entry.methods.has(m));
        const allowed = METHODS.filter((m) => entry.methods.has(m));
        if (missing.length === 0) continue;
        app.route({
          method: [...missing],
          url,
          config: { public: entry.public },
          handler: async (_request, reply) => {
            reply.header('allow', allowed.join(', '));
            throw errors.methodNotAllowed(allowed);
          },
        });
      }
    },
  };
}
