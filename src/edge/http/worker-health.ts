import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { errors } from '../../api/errors.js';
import { errorToWire } from '../../api/to-wire.js';

/**
 * What a `worker` node listens for: `GET /health` alone, for a supervisor's
 * liveness probe. It serves no API: every other path is 404 in the
 * contract's error shape, so a client sent here by mistake learns why.
 */
export async function buildWorkerHealthApp(
  status: () => { runningJobs: number },
  logger: FastifyServerOptions['logger'] = false,
): Promise<FastifyInstance> {
  const app = Fastify({ logger, genReqId: () => randomUUID() });
  app.get('/health', async () => ({ status: 'ok', role: 'worker', running_jobs: status().runningJobs }));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).header('x-request-id', request.id).send(errorToWire(errors.routeNotFound(request.method, request.url), request.id)),
  );
  return app;
}
