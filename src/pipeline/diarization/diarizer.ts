/**
 * The narrow interfaces of speaker diarization ("who spoke when"), one for a
 * whole recording (async transcriptions) and one for a live stream, so the
 * pipeline does not depend on how voices are told apart.
 */
import type { PartialWord } from '../engines/speech-engine.js';

/** Who speaks from `startMs` to `endMs`. Speakers are "1", "2", … in order of first appearance. */
export interface SpeakerTurn {
  startMs: number;
  endMs: number;
  speaker: string;
}

/** The most speakers a transcription or session distinguishes (API.md §5). */
export const MAX_SPEAKERS = 15;

/**
 * Diarizes a whole recording: it sees all of the speech before deciding, and
 * may relabel anything until {@link BatchDiarizer.finish}.
 */
export interface BatchDiarizer {
  /** One stretch of speech (an utterance), 16 kHz mono, in time order. */
  addSpeech(samples: Int16Array, offsetMs: number): void;
  /** The speaker turns covering everything added, in time order. */
  finish(): SpeakerTurn[];
}

/** The timing of a word to label; text does not matter. */
export type TimedWord = Pick<PartialWord, 'startMs' | 'endMs'>;

/**
 * Diarizes a live stream: labels are decided as words become final and never
 * change afterwards; words that are not final yet get a provisional label.
 */
export interface LiveDiarizer {
  /** The stream's audio, 16 kHz mono, continuing where the previous call ended. */
  push(samples: Int16Array): void;
  /**
   * Labels the next final words (in stream order, after every word labelled
   * final before). The labels are final too.
   */
  labelFinal(words: readonly TimedWord[]): string[];
  /** Best current labels for words that are not final; later calls may differ. */
  labelProvisional(words: readonly TimedWord[]): string[];
}
