import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../api/errors.js';
import type { AuthFailureThrottle } from '../../services/keys/auth-failure-throttle.js';
import type { KeyService } from '../../services/keys/key-service.js';
import type { ProjectScope, ProjectService } from '../../services/projects/project-service.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route reachable without a bearer key (signed file links, docs, health, the web app). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated key's project; set by the auth hook on every route that is not public. */
    scope: ProjectScope;
  }
}

export function bearerKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Checks a request's bearer key against what REST accepts: long-lived keys only. */
export class RestAuthenticator {
  constructor(
    private readonly keys: KeyService,
    private readonly projects: ProjectService,
    private readonly throttle: AuthFailureThrottle,
  ) {}

  /**
   * @returns the key's project, with that project's limits.
   * @throws ApiError 401 `unauthenticated` for a missing, unknown, revoked or
   *   temporary key; 429 `too_many_requests` (with `Retry-After`) once the
   *   client's address has spent its failure budget. A valid key always passes.
   */
  async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<ProjectScope> {
    const key = bearerKey(request);
    const identity = key ? await this.keys.identify(key) : null;
    if (identity) return this.projects.scope(identity.projectId, identity.apiKeyId);
    if (this.throttle.fail(request.ip)) {
      reply.header('retry-after', String(this.throttle.retryAfterSeconds(request.ip)));
      throw errors.tooManyAuthFailures();
    }
    throw errors.unauthenticated();
  }
}

/**
 * Every route needs a long-lived key in `Authorization: Bearer` unless it
 * declares `config: { public: true }`. The decision is the matched route's,
 * never the URL string's: the router decodes `%31`, absolute-form targets and
 * the like, so a string test and the router could disagree. Unmatched paths
 * are not public either: without a key they answer 401, so no spelling of a
 * path tells anything about what exists.
 */
export function registerAuth(app: FastifyInstance, authenticator: RestAuthenticator): void {
  app.decorateRequest('scope', null as unknown as ProjectScope);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public) return;
    request.scope = await authenticator.authenticate(request, reply);
  });
}
