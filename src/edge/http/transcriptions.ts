import type { FastifyInstance } from 'fastify';
import { errors } from '../../api/errors.js';
import {
  type WireTranslationConfig,
  createTranscriptionSchema,
  listQuerySchema,
  translationFromWire,
} from '../../api/schemas/requests.js';
import { transcriptToWire, transcriptionToWire } from '../../api/to-wire.js';
import { TurnQueue } from '../../lib/turn-queue.js';
import { nextCursor, toListQuery } from '../../services/list-query.js';
import type { CreateTranscription, TranscriptionService } from '../../services/transcriptions/transcription-service.js';
import { JSON_CONTENT_TYPE, optionalInt, parseBody, parseQuery, requireUuid } from './parse.js';

/** The create payload as on the wire, after schema validation. */
interface CreateTranscriptionPayload {
  model: string;
  audio_url?: string | null;
  file_id?: string | null;
  language_hints?: string[] | null;
  language_hints_strict?: boolean | null;
  enable_speaker_diarization?: boolean | null;
  enable_language_identification?: boolean | null;
  translation?: WireTranslationConfig | null;
  context?: unknown;
  webhook_url?: string | null;
  webhook_auth_header_name?: string | null;
  webhook_auth_header_value?: string | null;
  client_reference_id?: string | null;
}

function fromWire(p: CreateTranscriptionPayload): CreateTranscription {
  return {
    model: p.model,
    audioUrl: p.audio_url ?? null,
    fileId: p.file_id?.toLowerCase() ?? null,
    languageHints: p.language_hints ?? null,
    languageHintsStrict: p.language_hints_strict ?? null,
    enableSpeakerDiarization: p.enable_speaker_diarization ?? false,
    enableLanguageIdentification: p.enable_language_identification ?? false,
    translation: translationFromWire(p.translation),
    context: p.context ?? null,
    webhookUrl: p.webhook_url ?? null,
    webhookAuthHeaderName: p.webhook_auth_header_name ?? null,
    webhookAuthHeaderValue: p.webhook_auth_header_value ?? null,
    clientReferenceId: p.client_reference_id ?? null,
  };
}

export async function transcriptionsRoutes(
  app: FastifyInstance,
  opts: { transcriptions: TranscriptionService },
): Promise<void> {
  const { transcriptions } = opts;
  // Built, serialised and written in the queue's turn: together they are the page's cost.
  const pages = new TurnQueue();

  app.post('/v1/transcriptions', async (request, reply) => {
    const payload = parseBody<CreateTranscriptionPayload>(createTranscriptionSchema, request.body);
    const record = await transcriptions.create(request.scope, fromWire(payload));
    return reply.code(201).send(transcriptionToWire(record));
  });

  app.get('/v1/transcriptions', async (request, reply) => {
    const query = parseQuery(listQuerySchema, request.query);
    const pageRequest = toListQuery('transcriptions', optionalInt(query.limit), query.cursor);
    return pages.run(async () => {
      const page = await transcriptions.list(request.scope.projectId, pageRequest);
      const body = JSON.stringify({
        transcriptions: page.items.map(transcriptionToWire),
        next_page_cursor: nextCursor('transcriptions', page),
      });
      return reply.type(JSON_CONTENT_TYPE).send(body);
    });
  });

  app.get('/v1/transcriptions/count', async (request) => {
    const total = await transcriptions.count(request.scope.projectId);
    return { total, public_api: total, playground: 0 };
  });

  app.get<{ Params: { id: string } }>('/v1/transcriptions/:id', async (request) => {
    const id = requireUuid(request.params.id, errors.transcriptionNotFound);
    return transcriptionToWire(await transcriptions.get(request.scope.projectId, id));
  });

  app.get<{ Params: { id: string } }>('/v1/transcriptions/:id/transcript', async (request) => {
    const id = requireUuid(request.params.id, errors.transcriptionNotFound);
    return transcriptToWire(id, await transcriptions.transcript(request.scope.projectId, id));
  });

  app.delete<{ Params: { id: string } }>('/v1/transcriptions/:id', async (request, reply) => {
    await transcriptions.delete(request.scope.projectId, requireUuid(request.params.id, errors.transcriptionNotFound));
    return reply.code(204).send();
  });
}
