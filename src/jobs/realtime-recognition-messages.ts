/**
 * The messages between the real-time recognition pool and its worker
 * processes (IPC with structured cloning, so audio travels as Int16Array).
 */
import type { RecognitionContext } from '../pipeline/context/recognition-context.js';
import type { PartialWord, RecognizedWord } from '../pipeline/engines/speech-engine.js';
import type { PocketSphinxModel } from '../pipeline/engines/pocketsphinx/model.js';
import type { SerializedError } from './recognition-messages.js';

/** The environment variable that hands a worker its {@link RealtimeWorkerSetup}, as JSON. */
export const REALTIME_WORKER_SETUP_ENV = 'HARK_REALTIME_WORKER_SETUP';

/** What every worker is started with. */
export interface RealtimeWorkerSetup {
  model?: PocketSphinxModel;
  /** Measure the engine's speed on bundled speech before reporting ready. */
  calibrate: boolean;
  /** Decoders to keep built ahead of the streams that will need them. */
  warmDecoders: number;
}

/** A measured decode of speech at the streaming settings. */
export interface Calibration {
  audioMs: number;
  /** CPU time the decode took (the worker does nothing else meanwhile). */
  cpuMs: number;
  /** Wall time it took, on this machine as loaded as it was. */
  elapsedMs: number;
}

export type ToRealtimeWorker =
  /** `context` applies to this stream only; a reused decoder drops the previous stream's. */
  | { type: 'open'; streamId: number; context: RecognitionContext | null }
  | { type: 'start'; streamId: number; utteranceId: number; offsetMs: number }
  | { type: 'audio'; streamId: number; samples: Int16Array }
  | { type: 'end'; streamId: number }
  | { type: 'close'; streamId: number };

export type FromRealtimeWorker =
  /** The engine is loaded; `calibration` when asked for and the bundled speech is installed. */
  | { type: 'ready'; calibration: Calibration | null }
  /** The engine could not be loaded; the worker does nothing more. */
  | { type: 'init-error'; error: SerializedError }
  /** After each `audio`: the hypothesis so far and where the stream's decoder is. */
  | { type: 'progress'; streamId: number; utteranceId: number; words: PartialWord[]; samples: number; positionMs: number }
  /** Answer to `end`: the utterance's final words with confidences. */
  | { type: 'ended'; streamId: number; words: RecognizedWord[] }
  | { type: 'stream-error'; streamId: number; error: SerializedError };
