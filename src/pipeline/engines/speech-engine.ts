/**
 * The narrow interface every speech recognition engine implements.
 *
 * An engine loads its model once; each {@link Recognizer} owns one mutable
 * decoder and is used by one job or session at a time. Audio is always
 * 16 kHz mono signed 16-bit PCM ({@link ENGINE_SAMPLE_RATE}); decoding other
 * formats happens before the engine (pipeline/decode).
 */

import type { RecognitionContext } from '../context/recognition-context.js';

export const ENGINE_SAMPLE_RATE = 16_000;

/** A recognised word with its timing relative to the start of the audio. */
export interface RecognizedWord {
  /**
   * Lower-case dictionary spelling as the decoder produced it (no alternates
   * marker), or a context term's own spelling ("HbA1c").
   */
  word: string;
  startMs: number;
  endMs: number;
  /** Posterior probability in 0..1. */
  confidence: number;
}

/**
 * A word of a partial hypothesis. Mid-utterance there is no word lattice yet,
 * so no posterior: callers that need a confidence must say what they show.
 */
export type PartialWord = Omit<RecognizedWord, 'confidence'>;

export interface EngineCapabilities {
  /** Partial hypotheses while audio is still arriving. */
  streaming: boolean;
  wordTimestamps: boolean;
  /** ISO 639-1 codes the engine recognises. */
  languages: readonly string[];
}

export interface Recognizer {
  /**
   * Biases recognition toward a context (terms, domain text) from the next
   * utterance on, for this recognizer only; null removes it. Engines
   * without context biasing leave this out, and context is then ignored:
   * it is a hint, not a requirement. Must not be called mid-utterance.
   */
  setContext?(context: RecognitionContext | null): void;
  /**
   * Batch: recognise one complete utterance given in a single call.
   * Engines may use the whole utterance at once (PocketSphinx normalises its
   * features over it), which is more accurate than streaming the same audio.
   * Must not be called while a streamed utterance is open.
   */
  recognize(samples: Int16Array, offsetMs: number): RecognizedWord[];
  /** Streaming: begin an utterance whose first sample is at `offsetMs` in the stream. */
  startUtterance(offsetMs: number): void;
  /** Streaming: feed 16 kHz mono s16 samples of the current utterance. */
  process(samples: Int16Array): void;
  /** Streaming: best hypothesis so far, without ending the utterance. */
  partial(): PartialWord[];
  /** Streaming: end the utterance and return its final words with timings and confidences. */
  endUtterance(): RecognizedWord[];
  /** Release the decoder. The recognizer must not be used afterwards. */
  free(): void;
}

export interface SpeechEngine {
  readonly id: string;
  readonly capabilities: EngineCapabilities;
  createRecognizer(): Recognizer;
  /** Release the model and every idle decoder. Recognizers must be freed first. */
  close(): void;
}
