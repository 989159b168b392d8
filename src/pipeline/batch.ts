/**
 * Batch transcription of one audio file: decode → segment → recognise →
 * tokens. Synchronous recognition blocks the calling thread for seconds per
 * utterance, so this runs inside a recognition worker (jobs/recognition-pool.ts),
 * never on the server's event loop.
 */
import type { RecognitionContext } from './context/recognition-context.js';
import { decodeAudio } from './decode/decode-audio.js';
import { audioBoundsProblem } from './decode/audio-bounds.js';
import { AudioDecodeError, AudioTooLongError } from './decode/errors.js';
import { probeAudio } from './decode/probe-duration.js';
import { withSpeakers } from './diarization/assign-speakers.js';
import type { BatchDiarizer } from './diarization/diarizer.js';
import { ENGINE_SAMPLE_RATE, type SpeechEngine } from './engines/speech-engine.js';
import type { SegmenterOptions } from './segmentation/voice-activity-segmenter.js';
import { splitUtterances } from './segmentation/utterance-splitter.js';
import { type UtteranceWords, wordsToTokens } from './tokens/format-tokens.js';
import type { Token } from './tokens/token.js';

export interface BatchOptions {
  /** Longer audio fails with {@link AudioTooLongError}. */
  maxDurationMs: number;
  /** Overrides of the utterance segmentation defaults. */
  segmentation?: Partial<SegmenterOptions>;
  /** Terms and domain text that bias recognition of this file only. */
  context?: RecognitionContext | null;
  /** Labels every word with a speaker; a fresh diarizer per file. */
  diarizer?: BatchDiarizer | null;
}

export interface BatchResult {
  tokens: Token[];
  /** Length of the decoded audio. */
  audioDurationMs: number;
}

/**
 * Transcribes a file with a recognizer of `engine`. Audio is streamed, so a
 * file of several hours needs no more memory than one utterance.
 *
 * @throws {AudioTooLongError} the container declares, or decoding reaches, more than `maxDurationMs`.
 * @throws {AudioDecodeError} ffmpeg cannot decode the file or finds no audio in it, or the
 *   file declares a sample rate or channel count outside the bounds (decode/audio-bounds.ts).
 * @throws the abort reason when `signal` aborts (checked between utterances).
 * @example
 * const { tokens, audioDurationMs } = await transcribeFile('talk.mp3', { maxDurationMs: 18_000_000 }, engine);
 */
export async function transcribeFile(
  path: string,
  options: BatchOptions,
  engine: SpeechEngine,
  signal?: AbortSignal,
): Promise<BatchResult> {
  const { maxDurationMs, segmentation = {}, context = null } = options;
  signal?.throwIfAborted();
  // Refuse what the headers give away before spending CPU on it: a rate of
  // 1 Hz makes 4 KB into half an hour of audio. The decoder enforces the
  // duration limit on the real sample count as well.
  const declared = await probeAudio(path);
  const problem = audioBoundsProblem(declared.sampleRate, declared.channels);
  if (problem !== null) throw new AudioDecodeError(problem);
  if (declared.durationMs !== null && declared.durationMs > maxDurationMs) throw new AudioTooLongError(maxDurationMs);

  let sampleCount = 0;
  async function* counted(pcm: AsyncIterable<Int16Array>): AsyncGenerator<Int16Array> {
    for await (const samples of pcm) {
      sampleCount += samples.length;
      yield samples;
    }
  }

  const utterances: UtteranceWords[] = [];
  const recognizer = engine.createRecognizer();
  try {
    if (context) recognizer.setContext?.(context);
    const pcm = counted(decodeAudio(path, signal ? { maxDurationMs, signal } : { maxDurationMs }));
    for await (const utterance of splitUtterances(pcm, segmentation)) {
      options.diarizer?.addSpeech(utterance.samples, utterance.offsetMs);
      utterances.push({
        words: recognizer.recognize(utterance.samples, utterance.offsetMs),
        endsSentence: utterance.endsSentence,
      });
      signal?.throwIfAborted();
    }
  } finally {
    recognizer.free();
  }
  // Speakers are decided over the whole recording, so only now.
  const turns = options.diarizer?.finish();
  return {
    tokens: wordsToTokens(turns ? utterances.map((u) => ({ ...u, words: withSpeakers(u.words, turns) })) : utterances),
    audioDurationMs: Math.round((sampleCount * 1000) / ENGINE_SAMPLE_RATE),
  };
}
