import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ApiError, errors } from './api/errors.js';
import { errorToWire } from './api/to-wire.js';
import type { Config } from './config/config.js';
import { registerAuth } from './edge/http/auth.js';
import { docsRoutes } from './edge/http/docs.js';
import { filesRoutes } from './edge/http/files.js';
import { registerJsonBodyParser } from './edge/http/json-body.js';
import { modelsRoutes } from './edge/http/models.js';
import { temporaryKeyRoutes } from './edge/http/temporary-keys.js';
import { transcriptionsRoutes } from './edge/http/transcriptions.js';
import { uiRoutes } from './edge/ui/ui-routes.js';
import { realtimeRoutes } from './edge/ws/realtime.js';
import type { FileService } from './services/files/file-service.js';
import type { KeyService } from './services/keys/key-service.js';
import type { ModelCatalog } from './services/models/model-catalog.js';
import type { RealtimeService } from './services/realtime/realtime-service.js';
import type { TranscriptionService } from './services/transcriptions/transcription-service.js';

export interface AppDeps {
  config: Config;
  keys: KeyService;
  files: FileService;
  transcriptions: TranscriptionService;
  models: ModelCatalog;
  /** Serves the real-time WebSocket API when present. */
  realtime?: RealtimeService;
  logger?: FastifyServerOptions['logger'];
}

const JSON_BODY_LIMIT = 1024 * 1024;

/** Fastify's own client errors (bad JSON, wrong content type, …) in the contract's format. */
function fromFastifyError(error: FastifyError): ApiError {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return errors.invalidRequest([
      { errorType: 'too_long', location: 'body', message: `Request body is larger than ${JSON_BODY_LIMIT} bytes` },
    ]);
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return errors.invalidRequest([
      { errorType: 'value_error', location: 'body', message: 'Unsupported content type; send application/json' },
    ]);
  }
  return errors.invalidRequest([{ errorType: 'value_error', location: 'body', message: error.message }]);
}

/** Builds the HTTP application from its services; never listens (tests use it as is). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    genReqId: () => randomUUID(),
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: true,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  registerJsonBodyParser(app);

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    let apiError: ApiError;
    if (error instanceof ApiError) apiError = error;
    else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      apiError = fromFastifyError(error as FastifyError);
    } else apiError = errors.internal(error);
    if (apiError.statusCode >= 500) request.log.error({ err: apiError.cause ?? error }, 'request failed');
    return reply.code(apiError.statusCode).send(errorToWire(apiError, request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    const apiError = errors.routeNotFound(request.method, request.url);
    return reply.code(404).send(errorToWire(apiError, request.id));
  });

  registerAuth(app, deps.keys);
  await app.register(docsRoutes);
  await app.register(modelsRoutes, { models: deps.models });
  await app.register(temporaryKeyRoutes, { keys: deps.keys });
  await app.register(filesRoutes, {
    files: deps.files,
    maxFileSizeBytes: deps.config.limits.maxFileSizeBytes,
    publicUrl: deps.config.publicUrl,
  });
  await app.register(transcriptionsRoutes, { transcriptions: deps.transcriptions });
  if (deps.realtime) await app.register(realtimeRoutes, { realtime: deps.realtime });
  await app.register(uiRoutes, { publicUrl: deps.config.publicUrl });
  return app;
}
