/**
 * Batch transcription of one audio file: decode → segment → recognise →
 * tokens. A local engine's recognition blocks the calling thread for seconds
 * per utterance, and segmentation and diarization are CPU work too, so this
 * runs inside a recognition worker (jobs/recognition-pool.ts), never on the
 * server's event loop.
 */
import type { RecognitionContext } from './context/recognition-context.js';
import { decodeAudio } from './decode/decode-audio.js';
import { audioBoundsProblem } from './decode/audio-bounds.js';
import { AudioDecodeError, AudioTooLongError } from './decode/errors.js';
import { probeAudio } from './decode/probe-duration.js';
import { withSpeakers } from './diarization/assign-speakers.js';
import type { BatchDiarizer } from './diarization/diarizer.js';
import { type BatchEngine, type BatchRecognition, ENGINE_SAMPLE_RATE, withLanguage } from './engines/speech-engine.js';
import type { SegmenterOptions } from './segmentation/voice-activity-segmenter.js';
import { type Utterance, splitUtterances } from './segmentation/utterance-splitter.js';
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
  /** The language expected (the first of `language_hints`); null: the engine decides. */
  language?: string | null;
  /**
   * Audio no longer than this is recognised as one utterance, unsegmented:
   * a clip an OpenAI-style client sends (often one utterance another Hark
   * cut) is transcribed as a whole. Longer audio is segmented. Default 0.
   */
  wholeUpToMs?: number;
}

export interface BatchResult {
  tokens: Token[];
  /** Length of the decoded audio. */
  audioDurationMs: number;
}

/**
 * Transcribes a file with a recognizer of `engine`. Audio is streamed, so a
 * file of several hours needs no more memory than the utterances in flight:
 * one, or up to the engine's `batchConcurrency` for a remote engine.
 *
 * @throws {AudioTooLongError} the container declares, or decoding reaches, more than `maxDurationMs`.
 * @throws {AudioDecodeError} ffmpeg cannot decode the file or finds no audio in it, or the
 *   file declares a sample rate or channel count outside the bounds (decode/audio-bounds.ts).
 * @throws the abort reason when `signal` aborts (checked between utterances).
 * @throws the engine's error for the first utterance it failed on.
 * @example
 * const { tokens, audioDurationMs } = await transcribeFile('talk.mp3', { maxDurationMs: 18_000_000 }, engine);
 */
export async function transcribeFile(
  path: string,
  options: BatchOptions,
  engine: BatchEngine,
  signal?: AbortSignal,
): Promise<BatchResult> {
  const { maxDurationMs, segmentation = {}, context = null, language = null } = options;
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
  const concurrency = Math.max(1, engine.capabilities.batchConcurrency);
  // Utterances sent and not yet answered, in order; the first failure stops the others.
  const inFlight: { result: Promise<BatchRecognition>; endsSentence: boolean }[] = [];
  const stop = new AbortController();
  const requestSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const settleOldest = async () => {
    const { result, endsSentence } = inFlight.shift()!;
    const { words, language } = await result;
    utterances.push({ words: withLanguage(words, language), endsSentence });
  };
  const recognizer = engine.createBatchRecognizer();
  try {
    const pcm = counted(decodeAudio(path, signal ? { maxDurationMs, signal } : { maxDurationMs }));
    for await (const utterance of wholeOrSplit(pcm, options.wholeUpToMs ?? 0, segmentation)) {
      options.diarizer?.addSpeech(utterance.samples, utterance.offsetMs);
      const result = recognizer.recognize({
        samples: utterance.samples, offsetMs: utterance.offsetMs, language, context, signal: requestSignal,
      });
      // Awaited in order below; a later one failing first must not go unhandled.
      result.catch(() => {});
      inFlight.push({ result, endsSentence: utterance.endsSentence });
      if (inFlight.length >= concurrency) await settleOldest();
      signal?.throwIfAborted();
    }
    while (inFlight.length > 0) await settleOldest();
  } finally {
    stop.abort(new Error('transcription stopped'));
    recognizer.free();
  }
  // Speakers are decided over the whole recording, so only now.
  const turns = options.diarizer?.finish();
  return {
    tokens: wordsToTokens(turns ? utterances.map((u) => ({ ...u, words: withSpeakers(u.words, turns) })) : utterances),
    audioDurationMs: Math.round((sampleCount * 1000) / ENGINE_SAMPLE_RATE),
  };
}

/** One utterance of all the audio when it ends within `wholeUpToMs`; the segmenter's utterances otherwise. */
async function* wholeOrSplit(
  pcm: AsyncIterable<Int16Array>,
  wholeUpToMs: number,
  segmentation: Partial<SegmenterOptions>,
): AsyncGenerator<Utterance> {
  const iterator = pcm[Symbol.asyncIterator]();
  const head: Int16Array[] = [];
  let headSamples = 0;
  while (headSamples <= (wholeUpToMs * ENGINE_SAMPLE_RATE) / 1000) {
    const next = await iterator.next();
    if (next.done) {
      if (headSamples === 0) return;
      const samples = new Int16Array(headSamples);
      let at = 0;
      for (const chunk of head) {
        samples.set(chunk, at);
        at += chunk.length;
      }
      yield { offsetMs: 0, samples, endsSentence: true };
      return;
    }
    head.push(next.value);
    headSamples += next.value.length;
  }
  async function* all(): AsyncGenerator<Int16Array> {
    yield* head.splice(0);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  yield* splitUtterances(all(), segmentation);
}
