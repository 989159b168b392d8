/**
 * The messages between the real-time recognition pool and its worker
 * processes (IPC with structured cloning, so audio travels as Int16Array).
 */
import type { RecognitionContext } from '../pipeline/context/recognition-context.js';
import type { PartialWord, RecognizedWord } from '../pipeline/engines/speech-engine.js';
import type { EngineSettings } from '../pipeline/engines/engine-settings.js';
import type { PocketSphinxModel } from '../pipeline/engines/pocketsphinx/model.js';
import type { SerializedError } from './recognition-messages.js';

/** The environment variable that hands a worker its {@link RealtimeWorkerSetup}, as JSON. */
export const REALTIME_WORKER_SETUP_ENV = 'HARK_REALTIME_WORKER_SETUP';

/**
 * stream: hosts live streams, whose words at each utterance's end are final
 * unless the engine has a final pass; final: recognises finished utterances
 * one at a time with a local batch-only engine (the final pass).
 */
export type RealtimeWorkerRole = 'stream' | 'final';

/** What every worker is started with. */
export interface RealtimeWorkerSetup {
  role: RealtimeWorkerRole;
  /** stream: the PocketSphinx model, without `engine`. */
  model?: PocketSphinxModel;
  /**
   * stream: the streaming engine to load instead of PocketSphinx (a streaming
   * sherpa-onnx model); final: the batch engine of the final pass.
   */
  engine?: EngineSettings;
  /** Measure the engine's speed on bundled speech before reporting ready. */
  calibrate: boolean;
  /** The most decoders to keep built ahead of the streams that will need them (how many: `warm`). */
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
  | { type: 'close'; streamId: number }
  /** stream: keep this many decoders built ahead (at most its `warmDecoders`): what the capacity can use. */
  | { type: 'warm'; decoders: number }
  /** final: one finished utterance. */
  | { type: 'recognize'; jobId: number; samples: Int16Array; offsetMs: number; context: RecognitionContext | null; language?: string | null };

export type FromRealtimeWorker =
  /** The engine is loaded; `calibration` when asked for and the bundled speech is installed. */
  | { type: 'ready'; calibration: Calibration | null }
  /** The engine could not be loaded; the worker does nothing more. */
  | { type: 'init-error'; error: SerializedError }
  /**
   * After each `audio`: the hypothesis so far and where the stream's decoder is; `endpoint` when
   * the engine's own endpoint rule says the utterance is over (engines with one, e.g. sherpa-onnx).
   */
  | { type: 'progress'; streamId: number; utteranceId: number; words: PartialWord[]; samples: number; positionMs: number; endpoint?: boolean }
  /** Answer to `end`: the utterance's words with confidences (final ones without a final pass). */
  | { type: 'ended'; streamId: number; words: RecognizedWord[] }
  | { type: 'stream-error'; streamId: number; error: SerializedError }
  /** stream: CPU time its streams' audio took, over the last few seconds of it. */
  | { type: 'speed'; audioMs: number; cpuMs: number }
  /** Answer to `recognize`, with the time it took. */
  | { type: 'recognized'; jobId: number; words: RecognizedWord[]; elapsedMs: number }
  | { type: 'job-error'; jobId: number; error: SerializedError };
