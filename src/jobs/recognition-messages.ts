/**
 * The messages between the recognition pool and its worker processes, and how
 * errors cross that boundary: IPC's structured cloning keeps only plain data, so
 * errors travel as {@link SerializedError} and are rebuilt as the same
 * classes on the other side.
 */
import type { BatchResult } from '../pipeline/batch.js';
import { AudioDecodeError, AudioTooLongError } from '../pipeline/decode/errors.js';
import type { RecognitionContext } from '../pipeline/context/recognition-context.js';
import type { EngineSettings } from '../pipeline/engines/engine-settings.js';
import { EngineUnavailableError } from '../pipeline/engines/speech-engine.js';
import type { VoiceDetector } from '../pipeline/segmentation/speech-classifier.js';

export interface TranscribeRequest {
  audioPath: string;
  maxDurationMs: number;
  /** Label every spoken token with a speaker. */
  enableSpeakerDiarization?: boolean;
  /** Terms and domain text that bias recognition for this job only. */
  context?: RecognitionContext | null;
  /** ISO codes the caller expects; they bias, they do not restrict. */
  languageHints?: string[] | null;
  /** Audio up to this long is one utterance (see BatchOptions.wholeUpToMs). */
  wholeUpToMs?: number;
}

/** Environment variable that carries the {@link WorkerSetup} (JSON) to a worker process. */
export const WORKER_SETUP_ENV = 'HARK_RECOGNITION_WORKER_SETUP';

/** What every worker receives at start. */
export interface WorkerSetup {
  engine: EngineSettings;
  /** Segments the audio (default: energy). */
  vad?: VoiceDetector;
}

export type ToWorker =
  | { type: 'transcribe'; jobId: number; request: TranscribeRequest }
  | { type: 'cancel'; jobId: number };

export type FromWorker =
  /** The engine is loaded; jobs may be sent. */
  | { type: 'ready' }
  /** The engine could not be loaded; the worker exits. */
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; jobId: number; result: BatchResult }
  | { type: 'error'; jobId: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  /** AudioDecodeError */
  reason?: string;
  /** AudioDecodeError: ffmpeg's messages, for the log */
  detail?: string;
  /** AudioTooLongError */
  maxDurationMs?: number;
  /** EngineUnavailableError */
  retryable?: boolean;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AudioDecodeError) {
    const data: SerializedError = { name: err.name, message: err.message, code: err.code, reason: err.reason };
    if (err.detail !== null) data.detail = err.detail;
    return data;
  }
  if (err instanceof EngineUnavailableError) {
    return { name: err.name, message: err.message, code: err.code, retryable: err.retryable };
  }
  if (err instanceof AudioTooLongError) {
    return { name: err.name, message: err.message, code: err.code, maxDurationMs: err.maxDurationMs };
  }
  const error = err instanceof Error ? err : new Error(String(err));
  return error.stack === undefined
    ? { name: error.name, message: error.message }
    : { name: error.name, message: error.message, stack: error.stack };
}

/** The error as its original class for the decode errors, a plain Error (with the worker's stack) otherwise. */
export function deserializeError(data: SerializedError): Error {
  if (data.code === 'audio_decode_error' && data.reason !== undefined) return new AudioDecodeError(data.reason, data.detail ?? null);
  if (data.code === 'audio_too_long' && data.maxDurationMs !== undefined) return new AudioTooLongError(data.maxDurationMs);
  if (data.code === 'engine_unavailable') return new EngineUnavailableError(data.message, { retryable: data.retryable ?? false });
  const error = new Error(data.message);
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}
