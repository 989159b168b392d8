/**
 * The messages between the server's event loop and the diarization thread
 * (diarization-thread.ts). Each names the stream's diarizer by `id`; the
 * thread answers a stream's requests in the order they were posted.
 */
import type { TimedWord } from './diarizer.js';

export type ToDiarizationThread =
  | { type: 'open'; id: number }
  | { type: 'push'; id: number; samples: Int16Array }
  | { type: 'final'; id: number; words: TimedWord[] }
  | { type: 'provisional'; id: number; words: TimedWord[] }
  | { type: 'close'; id: number };

export type FromDiarizationThread =
  | { type: 'final'; id: number; labels: string[] }
  | { type: 'provisional'; id: number; labels: string[] }
  /** The stream's diarizer threw and is gone; its later requests are ignored. */
  | { type: 'failed'; id: number; message: string };
