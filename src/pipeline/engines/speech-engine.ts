/**
 * The narrow interface every speech recognition engine implements.
 *
 * An engine loads its model once; each {@link Recognizer} owns one mutable
 * decoder and is used by one job or session at a time. Audio is always
 * 16 kHz mono signed 16-bit PCM ({@link ENGINE_SAMPLE_RATE}); decoding other
 * formats happens before the engine (pipeline/decode).
 */

export const ENGINE_SAMPLE_RATE = 16_000;

/** A recognised word with its timing relative to the start of the audio. */
export interface RecognizedWord {
  /** Lower-case dictionary spelling as the decoder produced it (no alternates marker). */
  word: string;
  startMs: number;
  endMs: number;
  /** Posterior probability in 0..1. */
  confidence: number;
}

export interface EngineCapabilities {
  /** Partial hypotheses while audio is still arriving. */
  streaming: boolean;
  wordTimestamps: boolean;
  /** ISO 639-1 codes the engine recognises. */
  languages: readonly string[];
}

export interface Recognizer {
  /** Begin an utterance whose first sample is at `offsetMs` in the stream. */
  startUtterance(offsetMs: number): void;
  /** Feed 16 kHz mono s16 samples of the current utterance. */
  process(samples: Int16Array): void;
  /** Best hypothesis so far, without ending the utterance. */
  partial(): RecognizedWord[];
  /** End the utterance and return its final words with timings and confidences. */
  endUtterance(): RecognizedWord[];
  /** Release the decoder. The recognizer must not be used afterwards. */
  free(): void;
}

export interface SpeechEngine {
  readonly id: string;
  readonly capabilities: EngineCapabilities;
  createRecognizer(): Recognizer;
}
