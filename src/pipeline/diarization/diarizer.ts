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
 * Diarizes a live stream, synchronously: labels are decided as words become
 * final and never change afterwards; words that are not final yet get a
 * provisional label. A decision can take a quarter of a second, so the
 * server runs this off its event loop ({@link AsyncLiveDiarizer}).
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

/**
 * One stream's live diarizer as the live pipeline uses it: the decisions are
 * made elsewhere (a thread), so final labels arrive later, and provisional
 * ones are the latest known.
 */
export interface AsyncLiveDiarizer {
  /** The stream's audio, 16 kHz mono, continuing where the previous call ended. */
  push(samples: Int16Array): void;
  /**
   * Labels the next final words (in stream order, after every word asked
   * for before). The labels are final too.
   */
  labelFinal(words: readonly TimedWord[]): Promise<string[]>;
  /** At once: the best labels known now for words that are not final; `changed` announces better ones. */
  labelProvisional(words: readonly TimedWord[]): string[];
  /** Frees the stream's diarizer; pending final labels are rejected. */
  close(): void;
}

export interface LiveDiarizerEvents {
  /** Better provisional labels are known: ask again. */
  changed(): void;
  /** The diarizer is gone (its thread died); the stream cannot get final labels any more. */
  failed(err: Error): void;
}

/** Where live diarization runs: opens one stream's diarizer. */
export interface LiveDiarization {
  open(events: LiveDiarizerEvents): AsyncLiveDiarizer;
}
