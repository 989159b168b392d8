/**
 * From PocketSphinx's word segments to recognised words: fillers dropped,
 * pronunciation variants merged, frames turned into stream milliseconds.
 */
import type { PartialWord, RecognizedWord } from '../speech-engine.js';

/** PocketSphinx computes 100 feature frames per second (its -frate default). */
export const FRAME_MS = 10;

/** One word segment as the decoder reports it. */
export interface DecoderSegment {
  /** Dictionary entry, e.g. "was(2)", or a filler such as "<sil>" or "[NOISE]". */
  word: string;
  startFrame: number;
  /** Inclusive. */
  endFrame: number;
}

/**
 * Sentence markers (<s>, </s>), silence (<sil>) and noise words ([NOISE],
 * [SPEECH], ++GARBAGE++ in other models) are not words.
 *
 * @example isFiller('<sil>') // true
 */
export function isFiller(word: string): boolean {
  return /^(<.*>|\[.*\]|\+\+.*\+\+)$/.test(word);
}

/**
 * The dictionary spelling without the alternate-pronunciation marker.
 *
 * @example dictionaryWord('was(2)') // 'was'
 */
export function dictionaryWord(word: string): string {
  return word.replace(/\(\d+\)$/, '');
}

/**
 * The real words of an utterance whose frame 0 is at `offsetMs` in the stream.
 *
 * @example toPartialWords([{ word: 'he', startFrame: 21, endFrame: 32 }], 1000)
 * // [{ word: 'he', startMs: 1210, endMs: 1330 }]
 */
export function toPartialWords(segments: readonly DecoderSegment[], offsetMs: number): PartialWord[] {
  return segments
    .filter((s) => !isFiller(s.word))
    .map((s) => ({
      word: dictionaryWord(s.word),
      startMs: offsetMs + s.startFrame * FRAME_MS,
      endMs: offsetMs + (s.endFrame + 1) * FRAME_MS,
    }));
}

/**
 * Like {@link toPartialWords}, with each word's posterior probability as its
 * confidence (clamped to 0..1 against rounding in the log domain).
 */
export function toRecognizedWords(
  segments: readonly (DecoderSegment & { posterior: number })[],
  offsetMs: number,
): RecognizedWord[] {
  const words = segments.filter((s) => !isFiller(s.word));
  return toPartialWords(words, offsetMs).map((w, i) => ({
    ...w,
    confidence: Math.min(1, Math.max(0, words[i]!.posterior)),
  }));
}
