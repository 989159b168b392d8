/**
 * OpenAI's audio API on Hark: `POST /v1/audio/transcriptions` answers with
 * the transcript of the uploaded file at once, in OpenAI's response formats;
 * `POST /v1/audio/translations` is refused (see below). Same keys and limits
 * as the Soniox API; errors in OpenAI's shape (app.ts, to-wire.ts).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { ApiError, errors } from '../../api/errors.js';
import { type AudioTranscriptionRequest, OPENAI_AUDIO_FIELDS, parseAudioFields } from '../../api/openai/audio-request.js';
import { formatAudioResponse } from '../../api/openai/audio-responses.js';
import { tokenToWire } from '../../api/to-wire.js';
import type { Limits } from '../../config/config.js';
import type { AudioTranscriber } from '../../jobs/job-runner.js';
import type { UsageService } from '../../services/usage/usage-service.js';
import { withoutLanguages } from '../../pipeline/tokens/token.js';
import type { StoredToken, UsageStatus } from '../../storage/ports.js';
import { refuseDeclaredLengthOver } from './declared-length.js';
import { readMultipartUpload } from './multipart-upload.js';

/**
 * A clip up to this long is one utterance (Whisper's window is 30 s): the
 * utterances another Hark sends come back exactly as its own engine would
 * have recognised them.
 */
const WHOLE_CLIP_MS = 30_000;
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export interface OpenAiAudioOptions {
  transcriber: AudioTranscriber;
  /** Where each answered or failed request's use is recorded, as an async transcription's is. */
  usage: Pick<UsageService, 'recordRequest'>;
  /** The engine's languages, the first its default. */
  languages: readonly string[];
  limits: Limits;
  /** Uploads wait here while they are transcribed; emptied at start. */
  uploadDir: string;
  /** The connections' idle timeout (HARK_HTTP_IDLE_TIMEOUT_MS), suspended while a transcription runs. */
  idleTimeoutMs: number;
}

function invalid(param: string, message: string): ApiError {
  return new ApiError(400, 'invalid_request', message, [{ errorType: 'value_error', location: param, message }]);
}

const malformed = () => invalid('file', 'Malformed multipart body.');

/** The engine's failures as the route's errors; anything else stays internal. */
function toApiError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  const message = (err as Error).message;
  if (code === 'audio_decode_error') return invalid('file', 'The audio file could not be decoded.');
  if (code === 'audio_too_long') return invalid('file', message);
  if (code === 'engine_unavailable') return new ApiError(503, 'internal_error', `${message}.`);
  return err;
}

/** The language most of the transcript's words were heard in. */
function majorityLanguage(tokens: readonly StoredToken[]): string | null {
  const votes = new Map<string, number>();
  for (const t of tokens) if (t.language !== undefined) votes.set(t.language, (votes.get(t.language) ?? 0) + 1);
  return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

export async function openAiAudioRoutes(app: FastifyInstance, opts: OpenAiAudioOptions): Promise<void> {
  const { limits } = opts;
  await rm(opts.uploadDir, { recursive: true, force: true });
  await mkdir(opts.uploadDir, { recursive: true });
  await app.register(multipart, {
    limits: {
      fileSize: limits.maxFileSizeBytes + 1024 * 1024,
      files: 4,
      fields: 16,
      // A prompt of maxContextChars code points, up to 4 bytes each.
      fieldSize: limits.maxContextChars * 4 + 1024,
      parts: 32,
    },
  });
  const tooLarge = () => errors.fileTooLarge(limits.maxFileSizeBytes);
  const maxBodyBytes = limits.maxFileSizeBytes + limits.maxContextChars * 4 + MULTIPART_OVERHEAD_BYTES;
  // Each request holds a connection and a recognition for its whole length: as many as async jobs may wait.
  let running = 0;

  app.post(
    '/v1/audio/transcriptions',
    { onRequest: refuseDeclaredLengthOver(maxBodyBytes, tooLarge) },
    async (request, reply) => {
      if (!request.isMultipart()) throw invalid('file', "Send multipart/form-data with the audio as 'file'.");
      if (running >= limits.maxPendingTranscriptions) {
        throw new ApiError(429, 'too_many_requests', 'Too many transcriptions in progress. Try again later.');
      }
      running++;
      const audioPath = join(opts.uploadDir, randomUUID());
      try {
        const upload = await readMultipartUpload(request.parts(), {
          fields: OPENAI_AUDIO_FIELDS,
          receive: async (file) => {
            try {
              await receive(file, audioPath, limits.maxFileSizeBytes);
            } catch (err) {
              throw err instanceof ApiError ? err : malformed();
            }
            return audioPath;
          },
          maxFileBytes: limits.maxFileSizeBytes,
          malformed,
        });
        if (upload.failure) throw upload.failure;
        // A part declared application/json arrives parsed: OpenAI's fields are text only.
        const fields = new Map(
          [...upload.fields].map(([name, values]) => [name, values.filter((v): v is string => typeof v === 'string')]),
        );
        const parsed: AudioTranscriptionRequest = parseAudioFields(fields, { languages: opts.languages, maxPromptChars: limits.maxContextChars });
        if (!upload.received) throw invalid('file', "Missing required parameter: 'file'.");

        // No byte flows while the engine works, for as long as the audio takes: the idle
        // timeout would cut the answer off. It applies again once the answer is sent.
        const socket = request.raw.socket;
        socket.setTimeout(0);
        reply.raw.once('finish', () => socket.setTimeout(opts.idleTimeoutMs));
        // A client that hangs up stops its recognition.
        const gone = new AbortController();
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) gone.abort(new Error('The client went away'));
        });
        const startTime = new Date().toISOString();
        const record = (status: UsageStatus, audioDurationMs: number) =>
          opts.usage
            .recordRequest({
              projectId: request.scope.projectId,
              apiKeyId: request.scope.apiKeyId,
              temporaryKey: false,
              temporaryKeyClientReferenceId: null,
              clientReferenceId: null,
              model: parsed.model,
              audioDurationMs,
              features: { speakerDiarization: false, languageIdentification: false, translation: false },
              startTime,
              status,
            })
            .catch((err: unknown) => request.log.error({ err }, 'usage record not written'));
        let result;
        try {
          result = await opts.transcriber.transcribe(
            {
              audioPath,
              maxDurationMs: limits.maxAudioDurationMs,
              context: parsed.prompt === null ? null : { general: [], text: parsed.prompt, terms: [], translationTerms: [] },
              languageHints: parsed.language === null ? null : [parsed.language],
              wholeUpToMs: WHOLE_CLIP_MS,
            },
            gone.signal,
          );
        } catch (err) {
          await record(gone.signal.aborted ? 'canceled' : 'error', 0);
          throw toApiError(err);
        }
        await record('completed', result.audioDurationMs);
        const language = majorityLanguage(result.tokens) ?? parsed.language ?? opts.languages[0] ?? 'en';
        const tokens = withoutLanguages(result.tokens).map((t) => tokenToWire(t) as ReturnType<typeof tokenToWire> & { text: string });
        const response = formatAudioResponse({ tokens, audioDurationMs: result.audioDurationMs, language }, parsed.responseFormat, parsed.timestampGranularities);
        return reply.type(response.contentType).send(response.body);
      } finally {
        running--;
        await rm(audioPath, { force: true });
      }
    },
  );

  // OpenAI's translations turn speech in any language into English text.
  // Hark's engine and Apertium pairs cannot promise that for every upload,
  // so the route says so rather than return an English transcript as a translation.
  app.post('/v1/audio/translations', async () => {
    throw invalid(
      'model',
      'Hark does not translate audio into English on this route. Use POST /v1/audio/transcriptions, or the Soniox API (POST /v1/transcriptions with "translation").',
    );
  });
}

/** Streams the upload to `path`, refusing it once it passes `maxBytes`. */
async function receive(source: NodeJS.ReadableStream, path: string, maxBytes: number): Promise<void> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) done(errors.fileTooLarge(maxBytes));
      else done(null, chunk);
    },
  });
  await pipeline(source, counter, createWriteStream(path));
}
