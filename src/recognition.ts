import { BatchFinalPass } from './jobs/batch-final-pass.js';
import { RecognitionPool } from './jobs/recognition-pool.js';
import { RealtimeRecognitionPool } from './jobs/realtime-recognition-pool.js';
import { createBatchEngine, engineCapabilities, isRemoteEngine } from './pipeline/engines/engine-registry.js';
import type { EngineSettings } from './pipeline/engines/engine-settings.js';
import { probeDurationMs } from './pipeline/decode/probe-duration.js';
import type { LiveRecognition } from './pipeline/stream.js';
import type { VoiceDetector } from './pipeline/segmentation/speech-classifier.js';
import type { Recognition } from './server.js';

/** Live recognition that can be shut down (every stream and job fails). */
export interface ClosableLiveRecognition extends LiveRecognition {
  close(): Promise<void>;
}

/**
 * Async jobs: the engine `engine` selects, in a pool of worker processes.
 * Resolves once every worker has loaded it, so a broken install fails at start.
 */
export async function openRecognition(workers: number, engine: EngineSettings, vad: VoiceDetector = 'energy'): Promise<Recognition> {
  const pool = new RecognitionPool({ size: workers, engine, vad });
  await pool.ready();
  return {
    languages: engineCapabilities(engine).languages,
    probeDurationMs,
    transcribe: (input, signal) => pool.transcribe(input, signal),
    close: () => pool.close(),
  };
}

/**
 * Live sessions: the fast pass streams in worker processes, with the selected
 * engine when it streams (a streaming sherpa-onnx model), else PocketSphinx. The final pass is the selected engine: in the same pool's
 * accurate workers for a local engine, or, for a remote one, its requests
 * made from this process ({@link BatchFinalPass}).
 */
export async function openLiveRecognition(workers: number, engine: EngineSettings): Promise<ClosableLiveRecognition> {
  if (!isRemoteEngine(engine)) {
    // PocketSphinx: the pool's own accurate-pass settings.
    if (engine.id === 'pocketsphinx') return new RealtimeRecognitionPool({ workers });
    // A streaming engine makes its own partials (and endpoints); a batch-only one gets PocketSphinx's.
    return new RealtimeRecognitionPool({ workers, finalEngine: engine, ...(engineCapabilities(engine).streaming ? { partialEngine: engine } : {}) });
  }
  const finals = new BatchFinalPass(await createBatchEngine(engine));
  return twoPassRecognition(new RealtimeRecognitionPool({ workers, finalEngine: null }), finals);
}

/**
 * One live recognition from two: provisional words from `partials`, final
 * words from `finals`.
 *
 * @example twoPassRecognition(localStreamingPool, new BatchFinalPass(remoteEngine))
 */
export function twoPassRecognition(
  partials: Pick<ClosableLiveRecognition, 'openPartial' | 'close'>,
  finals: Pick<ClosableLiveRecognition, 'openFinal' | 'close'>,
): ClosableLiveRecognition {
  return {
    openPartial: (events, context) => partials.openPartial(events, context),
    openFinal: (context, language) => finals.openFinal(context, language),
    close: async () => {
      await Promise.all([partials.close(), finals.close()]);
    },
  };
}
