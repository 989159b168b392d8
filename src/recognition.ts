import { RecognitionPool } from './jobs/recognition-pool.js';
import { probeDurationMs } from './pipeline/decode/probe-duration.js';
import type { VoiceDetector } from './pipeline/segmentation/speech-classifier.js';
import type { Recognition } from './server.js';

/**
 * The embedded default: PocketSphinx in a pool of worker threads. Resolves
 * once every worker has loaded the model, so a broken install fails at start.
 */
export async function openRecognition(workers: number, vad: VoiceDetector = 'energy'): Promise<Recognition> {
  const pool = new RecognitionPool({ size: workers, vad });
  await pool.ready();
  return {
    // Debian's pocketsphinx-en-us model, the one the workers load.
    languages: ['en'],
    probeDurationMs,
    transcribe: (input, signal) => pool.transcribe(input, signal),
    close: () => pool.close(),
  };
}
