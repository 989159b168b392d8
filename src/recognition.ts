import { BatchFinalPass } from './jobs/batch-final-pass.js';
import { RecognitionPool } from './jobs/recognition-pool.js';
import { type PoolCalibration, RealtimeRecognitionPool } from './jobs/realtime-recognition-pool.js';
import { WORKER_START_TIMEOUT_MS } from './jobs/worker-process.js';
import { createBatchEngine, engineCapabilities, isRemoteEngine } from './pipeline/engines/engine-registry.js';
import type { EngineSettings } from './pipeline/engines/engine-settings.js';
import { probeDurationMs } from './pipeline/decode/probe-duration.js';
import type { LiveRecognition } from './pipeline/stream.js';
import type { VoiceDetector } from './pipeline/segmentation/speech-classifier.js';
import type { Recognition } from './server.js';

/** Live recognition that starts with the server and can be shut down (every stream and job fails). */
export interface ClosableLiveRecognition extends LiveRecognition {
  /** Starts the workers: they measure the streaming engine's speed and build decoders ahead. */
  start(): void;
  /** What the start-up measurement found (null: none). */
  readonly calibration: Promise<PoolCalibration | null>;
  close(): Promise<void>;
}

/**
 * Async jobs: the engine `engine` selects, in a pool of worker processes.
 * Resolves once every worker has loaded it, so a broken install fails at start
 * (as does a worker not loaded within `startTimeoutMs`).
 */
export async function openRecognition(workers: number, engine: EngineSettings, vad: VoiceDetector = 'energy', startTimeoutMs = WORKER_START_TIMEOUT_MS): Promise<Recognition> {
  const pool = new RecognitionPool({ size: workers, engine, vad, startTimeoutMs });
  await pool.ready();
  return {
    languages: engineCapabilities(engine).languages,
    probeDurationMs,
    transcribe: (input, signal) => pool.transcribe(input, signal),
    close: () => pool.close(),
  };
}

/**
 * Live sessions stream in worker processes, with the selected engine when it
 * streams (a streaming sherpa-onnx model), else PocketSphinx; the streamed
 * words at each utterance's end are final. A batch-only engine makes the
 * final words instead: a local one in the same pool's final workers, a
 * remote one by requests made from this process ({@link BatchFinalPass}).
 */
export async function openLiveRecognition(workers: number, warmDecoders: number, engine: EngineSettings, startTimeoutMs = WORKER_START_TIMEOUT_MS): Promise<ClosableLiveRecognition> {
  const pool = { workers, warmDecoders, startTimeoutMs };
  if (engine.id === 'pocketsphinx') return new RealtimeRecognitionPool(pool);
  if (!isRemoteEngine(engine)) {
    // A streaming engine makes its own final words (and endpoints); a batch-only one gets PocketSphinx's partials.
    return new RealtimeRecognitionPool({ ...pool, ...(engineCapabilities(engine).streaming ? { partialEngine: engine } : { finalEngine: engine }) });
  }
  const finals = new BatchFinalPass(await createBatchEngine(engine));
  return twoPassRecognition(new RealtimeRecognitionPool(pool), finals);
}

/**
 * One live recognition from two: provisional words from `partials`, final
 * words from `finals`.
 *
 * @example twoPassRecognition(localStreamingPool, new BatchFinalPass(remoteEngine))
 */
export function twoPassRecognition(
  partials: Omit<ClosableLiveRecognition, 'openFinal'>,
  finals: Required<Pick<ClosableLiveRecognition, 'openFinal'>> & Pick<ClosableLiveRecognition, 'close'>,
): ClosableLiveRecognition {
  return {
    openPartial: (events, context) => partials.openPartial(events, context),
    openFinal: (context, language) => finals.openFinal(context, language),
    ...(partials.capacity ? { capacity: () => partials.capacity!() } : {}),
    start: () => partials.start(),
    calibration: partials.calibration,
    close: async () => {
      await Promise.all([partials.close(), finals.close()]);
    },
  };
}
