import type { FastifyInstance } from 'fastify';
import { createTemporaryKeySchema } from '../../api/schemas/requests.js';
import type { KeyService } from '../../services/keys/key-service.js';
import { parseBody } from './parse.js';

interface CreateTemporaryKeyPayload {
  usage_type: string;
  expires_in_seconds: number;
  client_reference_id?: string | null;
  single_use?: boolean | null;
  max_session_duration_seconds?: number | null;
}

export async function temporaryKeyRoutes(app: FastifyInstance, opts: { keys: KeyService }): Promise<void> {
  app.post('/v1/auth/temporary-api-key', async (request, reply) => {
    const p = parseBody<CreateTemporaryKeyPayload>(createTemporaryKeySchema, request.body);
    const key = await opts.keys.createTemporary({
      usageType: p.usage_type,
      expiresInSeconds: p.expires_in_seconds,
      clientReferenceId: p.client_reference_id ?? null,
      singleUse: p.single_use ?? false,
      maxSessionDurationSeconds: p.max_session_duration_seconds ?? null,
    }, { apiKeyId: request.scope.apiKeyId, projectId: request.scope.projectId });
    return reply.code(201).send({ api_key: key.apiKey, expires_at: key.expiresAt });
  });
}
