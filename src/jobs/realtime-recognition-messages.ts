/**
 * The messages between the real-time recognition pool and its worker
 * processes (IPC with structured cloning, so audio travels as Int16Array).
 */
import type { RecognitionContext } from '../pipeline/context/recognition-context.js';
import type { PartialWord, RecognizedWord } from '../pipeline/engines/speech-engine.js';
import type { EngineSettings } from '../pipeline/engines/engine-settings.js';
import type { PocketSphinxModel } from '../pipeline/engines/pocketsphinx/model.js';
import type { SerializedError } from './recognition-messages.js';

/**
 * `fast`: hosts many live streams, each with its own streaming decoder, for
 * provisional words. `accurate`: recognises whole utterances one at a time,
 * with the async path's decoder settings, for final words.
 */
export type RealtimeWorkerRole = 'fast' | 'accurate';

/** The environment variable that hands a worker its {@link RealtimeWorkerSetup}, as JSON. */
export const REALTIME_WORKER_SETUP_ENV = 'HARK_REALTIME_WORKER_SETUP';

/** What every worker is started with. */
export interface RealtimeWorkerSetup {
  role: RealtimeWorkerRole;
  /** The fast pass's PocketSphinx model (and the accurate pass's, without `engine`). */
  model?: PocketSphinxModel;
  /** accurate: the batch engine to load instead of PocketSphinx. */
  engine?: EngineSettings;
  /** fast: the streaming engine to load instead of PocketSphinx (a streaming sherpa-onnx model). */
  partialEngine?: EngineSettings;
}

export type ToRealtimeWorker =
  /** `context` applies to this stream only; a reused decoder drops the previous stream's. */
  | { type: 'open'; streamId: number; context: RecognitionContext | null }
  | { type: 'start'; streamId: number; utteranceId: number; offsetMs: number }
  | { type: 'audio'; streamId: number; samples: Int16Array }
  | { type: 'end'; streamId: number }
  | { type: 'close'; streamId: number }
  /** `context`: the session's; the worker keeps the searches of recent ones built. */
  | { type: 'recognize'; jobId: number; samples: Int16Array; offsetMs: number; context: RecognitionContext | null };

export type FromRealtimeWorker =
  /** The engine is loaded. */
  | { type: 'ready' }
  /** The engine could not be loaded; the worker does nothing more. */
  | { type: 'init-error'; error: SerializedError }
  /**
   * After each `audio`: the hypothesis so far and where the stream's decoder is; `endpoint` when
   * the engine's own endpoint rule says the utterance is over (engines with one, e.g. sherpa-onnx).
   */
  | { type: 'progress'; streamId: number; utteranceId: number; words: PartialWord[]; samples: number; positionMs: number; endpoint?: boolean }
  /** Answer to `end`: the utterance's words with confidences. */
  | { type: 'ended'; streamId: number; words: RecognizedWord[] }
  /** Answer to `recognize`, with the thread time it took. */
  | { type: 'recognized'; jobId: number; words: RecognizedWord[]; elapsedMs: number }
  | { type: 'stream-error'; streamId: number; error: SerializedError }
  | { type: 'job-error'; jobId: number; error: SerializedError };
