/**
 * The seam between the segmenter and what tells speech from non-speech: the
 * segmenter owns the timing (pauses, padding, length cuts), a classifier
 * only labels 10 ms frames. Classifiers may hold a few frames back (they
 * need context: a noise floor, a model window) and label them later.
 */

/** Which classifier labels the frames: `HARK_VAD` (README "Voice activity detection"). */
export type VoiceDetector = 'energy' | 'silero';

export const VOICE_DETECTORS: readonly VoiceDetector[] = ['energy', 'silero'];

export interface SpeechClassifier {
  /**
   * Takes the next frame: FRAME_SAMPLES samples of `samples` from `start`,
   * whose energy is `energyDb`. Appends to `labels` whether each frame it can
   * now judge is speech, oldest first, continuing where the last call left off.
   */
  add(samples: Int16Array, start: number, energyDb: number, labels: boolean[]): void;
  /** Labels every frame taken and not labelled yet: the stream ends or is cut. */
  flush(labels: boolean[]): void;
}
