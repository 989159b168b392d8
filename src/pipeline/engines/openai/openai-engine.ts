/**
 * A remote engine: any server of OpenAI's `POST /audio/transcriptions`
 * (OpenAI, speaches, faster-whisper-server, whisper.cpp's server, LocalAI,
 * vLLM, another Hark). Each utterance Hark's segmenter cut is sent as a WAV
 * file with `response_format=verbose_json` and word timestamps; the answer
 * becomes Hark's words (verbose-json.ts).
 *
 * One attempt per call: BoundedBatchEngine (engine-registry.ts wraps every
 * OpenAiEngine in one) bounds concurrency and time and retries.
 *
 * Requests go to the operator's configured URL only, never to one a client
 * chose, so they do not pass the outbound address guard that protects
 * `audio_url` and webhooks (docs/security/outbound.md): the engine is often
 * on loopback or the local network, which the guard refuses. Redirects are
 * not followed.
 */
import type { OpenAiEngineSettings } from '../engine-settings.js';
import {
  type BatchEngine,
  type BatchRecognition,
  type BatchRecognizer,
  type BatchRequest,
  ENGINE_SAMPLE_RATE,
  type EngineCapabilities,
  EngineUnavailableError,
} from '../speech-engine.js';
import { contextPrompt } from './prompt.js';
import { MalformedTranscriptionError, fromVerboseJson } from './verbose-json.js';
import { encodeWav } from './wav.js';

/** A server's error body is read for its message, up to this much. */
const MAX_ERROR_BODY_BYTES = 4096;
/** A transcription of one utterance (≤ 20 s of speech) is far smaller; more is refused. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** What an OpenAI engine declares; its languages are the configured ones. */
export function openAiCapabilities(settings: Pick<OpenAiEngineSettings, 'languages' | 'concurrency'>): EngineCapabilities {
  return {
    streaming: false,
    batch: true,
    wordTimestamps: true,
    // Whisper servers give word probabilities (faster-whisper) or segment log probabilities, OpenAI neither.
    confidences: false,
    languages: settings.languages,
    languageIdentification: true,
    context: 'prompt',
    batchConcurrency: settings.concurrency,
  };
}

export class OpenAiEngine implements BatchEngine {
  readonly id = 'openai';
  readonly capabilities: EngineCapabilities;
  private readonly endpoint: URL;

  constructor(private readonly settings: OpenAiEngineSettings) {
    this.capabilities = openAiCapabilities(settings);
    this.endpoint = new URL(`${settings.url}/audio/transcriptions`);
  }

  createBatchRecognizer(): BatchRecognizer {
    return {
      recognize: (request) => this.transcribe(request),
      free: () => {},
    };
  }

  close(): void {}

  private async transcribe(request: BatchRequest): Promise<BatchRecognition> {
    const { samples, offsetMs, signal } = request;
    signal?.throwIfAborted();
    if (samples.length === 0) return { words: [] };
    const form = new FormData();
    form.append('file', new Blob([encodeWav(samples)], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', this.settings.model);
    form.append('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'word');
    form.append('timestamp_granularities[]', 'segment');
    if (request.language) form.append('language', request.language);
    const prompt = contextPrompt(request.context ?? null);
    if (prompt !== null) form.append('prompt', prompt);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.settings.apiKey !== null) headers.authorization = `Bearer ${this.settings.apiKey}`;

    let response: Response;
    try {
      response = await fetch(this.endpoint, { method: 'POST', body: form, headers, redirect: 'manual', ...(signal ? { signal } : {}) });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new EngineUnavailableError(`The speech engine could not be reached (${networkReason(err)})`, { retryable: true, cause: err });
    }
    if (!response.ok) {
      const detail = await errorDetail(response);
      const retryable = response.status === 429 || response.status >= 500;
      throw new EngineUnavailableError(`The speech engine answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`, { retryable });
    }
    const body = await readJson(response, signal);
    try {
      return fromVerboseJson(body, offsetMs, Math.round((samples.length * 1000) / ENGINE_SAMPLE_RATE));
    } catch (err) {
      if (err instanceof MalformedTranscriptionError) throw new EngineUnavailableError(err.message, { cause: err });
      throw err;
    }
  }
}

/** The system error's code (ECONNREFUSED, ENOTFOUND, …): it names the failure without the address. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : 'network error';
}

/** OpenAI's `{ error: { message } }`, or the start of a text body, on one line. */
async function errorDetail(response: Response): Promise<string> {
  try {
    const text = (await readLimited(response, MAX_ERROR_BODY_BYTES)).toString('utf8');
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; detail?: unknown; message?: unknown };
      const candidate = typeof parsed.error === 'object' ? parsed.error?.message : parsed.error ?? parsed.detail ?? parsed.message;
      if (typeof candidate === 'string') message = candidate;
    } catch {
      // Not JSON: the text itself.
    }
    return message.replace(/\s+/g, ' ').trim().slice(0, 200);
  } catch {
    return '';
  }
}

async function readJson(response: Response, signal: AbortSignal | undefined): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readLimited(response, MAX_RESPONSE_BYTES);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof EngineUnavailableError) throw err;
    throw new EngineUnavailableError('The speech engine broke off its answer', { retryable: true, cause: err });
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new EngineUnavailableError('The speech engine answered something that is not JSON', { cause: err });
  }
}

/** The body, refused beyond `maxBytes` (a server is not trusted to bound its answer). */
async function readLimited(response: Response, maxBytes: number): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new EngineUnavailableError(`The speech engine's answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
