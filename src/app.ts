import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { ApiError, errors, toApiError } from './api/errors.js';
import { errorToWire, isOpenAiRoute, openAiErrorToWire } from './api/to-wire.js';
import type { Config } from './config/config.js';
import { type OpenAiAudioOptions, openAiAudioRoutes } from './edge/http/openai-audio.js';
import { RestAuthenticator, registerAuth } from './edge/http/auth.js';
import { ConnectionLimits, httpServerOptions } from './edge/http/connection-limits.js';
import { docsRoutes } from './edge/http/docs.js';
import { filesRoutes } from './edge/http/files.js';
import { registerJsonBodyParser } from './edge/http/json-body.js';
import { lingerOnEarlyAnswers } from './edge/http/lingering-close.js';
import { modelsRoutes } from './edge/http/models.js';
import { temporaryKeyRoutes } from './edge/http/temporary-keys.js';
import { transcriptionsRoutes } from './edge/http/transcriptions.js';
import { uiRoutes } from './edge/ui/ui-routes.js';
import { registerMethodNotAllowed } from './edge/http/method-not-allowed.js';
import { realtimeRoutes } from './edge/ws/realtime.js';
import { concurrencyRoutes } from './edge/http/concurrency.js';
import { usageRoutes } from './edge/http/usage.js';
import { AuthFailureThrottle } from './services/keys/auth-failure-throttle.js';
import type { FileService } from './services/files/file-service.js';
import type { KeyService } from './services/keys/key-service.js';
import type { ProjectService } from './services/projects/project-service.js';
import type { UsageService } from './services/usage/usage-service.js';
import type { ModelCatalog } from './services/models/model-catalog.js';
import type { RealtimeService } from './services/realtime/realtime-service.js';
import type { TranscriptionService } from './services/transcriptions/transcription-service.js';

export interface AppDeps {
  config: Config;
  keys: KeyService;
  projects: ProjectService;
  usage: UsageService;
  files: FileService;
  transcriptions: TranscriptionService;
  models: ModelCatalog;
  /** Serves the real-time WebSocket API when present. */
  realtime?: RealtimeService;
  /** Serves OpenAI's audio API (`/v1/audio/…`) when present. */
  openAiAudio?: Omit<OpenAiAudioOptions, 'limits' | 'idleTimeoutMs'>;
  /** Failed authentications per address; shared with the WebSocket API so both spend one budget. */
  authFailures?: AuthFailureThrottle;
  logger?: FastifyServerOptions['logger'];
}

const JSON_BODY_LIMIT = 1024 * 1024;

/**
 * Fastify's own client errors (bad JSON, wrong content type, …) in the
 * contract's format. Fastify's messages are not passed on: some quote the
 * input (a header, a URL, a content type).
 */
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
  return errors.invalidRequest([{ errorType: 'value_error', location: 'body', message: 'Malformed request' }]);
}

/** The router's own refusals, which Fastify hands to `frameworkErrors` instead of the error handler. */
function fromFrameworkError(error: FastifyError): ApiError {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return errors.uriTooLong();
  if (error.code === 'FST_ERR_BAD_URL') return errors.malformedHttpRequest();
  return errors.internal(error);
}

/** Client errors are the client's business: logged quietly, never at `error`. */
function logFailure(request: FastifyRequest, apiError: ApiError, error: unknown): void {
  if (apiError.statusCode >= 500) request.log.error({ err: apiError.cause ?? error }, 'request failed');
  else request.log.debug({ errorType: apiError.errorType, status: apiError.statusCode }, 'request refused');
}

/** Builds the HTTP application from its services; never listens (tests use it as is). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const authenticator = new RestAuthenticator(deps.keys, deps.projects, deps.authFailures ?? new AuthFailureThrottle(config.auth));
  const limits = new ConnectionLimits(config.http);
  // OpenAI's routes answer in OpenAI's error shape, authentication and routing errors included.
  const toWire = (request: FastifyRequest, error: ApiError) =>
    isOpenAiRoute(request.url) ? openAiErrorToWire(error) : errorToWire(error, request.id);
  const send = (request: FastifyRequest, reply: FastifyReply, error: ApiError) =>
    reply.code(error.statusCode).header('x-request-id', request.id).send(toWire(request, error));
  const app = Fastify({
    logger: deps.logger ?? false,
    genReqId: () => randomUUID(),
    bodyLimit: JSON_BODY_LIMIT,
    // Forwarded headers come from anyone unless a proxy is named: they would
    // pick the client address (per-address budgets) and the host of file links.
    trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
    http: httpServerOptions(config.http),
    requestTimeout: config.http.requestTimeoutMs,
    clientErrorHandler: limits.onClientError,
    // A bad URL or an over-long path parameter never reaches the hooks, so auth is decided here too.
    frameworkErrors: (error, request, reply) => {
      authenticator.authenticate(request, reply).then(
        () => send(request, reply, fromFrameworkError(error)),
        (err: unknown) => send(request, reply, toApiError(err)),
      );
    },
  });
  limits.attach(app.server, app.log);

  app.addHook('onRequest', async (request, reply) => {
    // Answered 429 when it connected; nothing it asks for runs.
    if (limits.isRefused(request.raw.socket)) return reply.hijack();
    reply.header('x-request-id', request.id);
  });

  registerJsonBodyParser(app);
  lingerOnEarlyAnswers(app);

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    let apiError: ApiError;
    if (!(error instanceof ApiError) && typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      apiError = fromFastifyError(error as FastifyError);
    } else apiError = toApiError(error);
    logFailure(request, apiError, error);
    return reply.code(apiError.statusCode).send(toWire(request, apiError));
  });

  app.setNotFoundHandler((request, reply) => {
    const apiError = errors.routeNotFound(request.method, request.url);
    return reply.code(404).send(toWire(request, apiError));
  });

  registerAuth(app, authenticator);
  const routes = registerMethodNotAllowed(app);
  await app.register(docsRoutes);
  await app.register(modelsRoutes, { models: deps.models });
  await app.register(temporaryKeyRoutes, { keys: deps.keys });
  await app.register(filesRoutes, {
    files: deps.files,
    maxFileSizeBytes: deps.config.limits.maxFileSizeBytes,
    publicUrl: deps.config.publicUrl,
  });
  await app.register(transcriptionsRoutes, { transcriptions: deps.transcriptions });
  await app.register(usageRoutes, { usage: deps.usage });
  if (deps.openAiAudio) {
    await app.register(openAiAudioRoutes, { ...deps.openAiAudio, limits: deps.config.limits, idleTimeoutMs: deps.config.http.idleTimeoutMs });
  }
  if (deps.realtime) {
    await app.register(realtimeRoutes, { realtime: deps.realtime });
    await app.register(concurrencyRoutes, { realtime: deps.realtime, usage: deps.usage });
  }
  await app.register(uiRoutes, { publicUrl: deps.config.publicUrl });
  routes.addMethodNotAllowedRoutes();
  return app;
}
