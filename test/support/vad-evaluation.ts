/**
 * How well a voice detector segments speech: measured on a {@link SpeechMix}
 * against where the words really are, found by recognising each clean
 * sentence whole (the async alignment).
 *
 * - A boundary inside a sentence: an utterance starts or ends between the
 *   sentence's first and last word, so the sentence is split (async) or
 *   gets a false `<end>` (live).
 * - A cut mid-word: an utterance boundary inside an aligned word (20 ms in
 *   from either edge, so a cut in the gap between words is not counted).
 * - End latency: from the end of a sentence's last word to the moment the
 *   live segmenter, fed 10 ms at a time, decides the utterance has ended
 *   (the `<end>` then waits only for recognition, the same for any detector).
 */
import type { PocketSphinxEngine } from '../../src/pipeline/engines/pocketsphinx/pocketsphinx-engine.js';
import type { RecognizedWord } from '../../src/pipeline/engines/speech-engine.js';
import type { VoiceDetector } from '../../src/pipeline/segmentation/speech-classifier.js';
import { splitUtterances } from '../../src/pipeline/segmentation/utterance-splitter.js';
import { VoiceActivitySegmenter } from '../../src/pipeline/segmentation/voice-activity-segmenter.js';
import { liveSegmenterOptions } from '../../src/pipeline/stream.js';
import type { SpeechMix } from './babble.js';

export interface Span {
  startMs: number;
  endMs: number;
}

export interface Alignment {
  /** From the first word's start to the last word's end, per sentence. */
  sentences: Span[];
  words: Span[];
}

/** Word times of the clean mix's sentences, each recognised whole. */
export function alignSentences(clean: SpeechMix, engine: PocketSphinxEngine): Alignment {
  const recognizer = engine.createRecognizer();
  try {
    const perSentence = clean.sentences.map((s) =>
      recognizer.recognize(clean.samples.slice(s.fromMs * 16, s.toMs * 16), s.fromMs),
    );
    return {
      sentences: perSentence.map((words) => ({ startMs: words[0]!.startMs, endMs: words.at(-1)!.endMs })),
      words: perSentence.flat().map(({ startMs, endMs }) => ({ startMs, endMs })),
    };
  } finally {
    recognizer.free();
  }
}

export interface AsyncUtterance extends Span {
  samples: Int16Array;
}

/** The utterances async transcription would recognise, with this detector. */
export async function segmentAsync(mix: SpeechMix, detector: VoiceDetector): Promise<AsyncUtterance[]> {
  async function* chunks(): AsyncGenerator<Int16Array> {
    for (let i = 0; i < mix.samples.length; i += 16_000) yield mix.samples.subarray(i, i + 16_000);
  }
  const out: AsyncUtterance[] = [];
  for await (const u of splitUtterances(chunks(), { detector })) {
    out.push({ startMs: u.offsetMs, endMs: u.offsetMs + u.samples.length / 16, samples: u.samples });
  }
  return out;
}

/** Recognises the utterances one by one, as the batch pipeline does; the words in order. */
export function recognizeUtterances(utterances: AsyncUtterance[], engine: PocketSphinxEngine): RecognizedWord[] {
  const recognizer = engine.createRecognizer();
  try {
    return utterances.flatMap((u) => recognizer.recognize(u.samples, u.startMs));
  } finally {
    recognizer.free();
  }
}

const inside = (atMs: number, span: Span, marginMs = 0) => atMs > span.startMs + marginMs && atMs < span.endMs - marginMs;

function boundaries(utterances: Span[]): number[] {
  return utterances.flatMap((u) => [u.startMs, u.endMs]);
}

/** Utterance starts and ends that fall between a sentence's first and last word. */
export function boundariesInsideSentences(utterances: Span[], alignment: Alignment): number {
  return boundaries(utterances).filter((b) => alignment.sentences.some((s) => inside(b, s))).length;
}

const MID_WORD_MARGIN_MS = 20;

/** Utterance starts and ends inside an aligned word. */
export function midWordCuts(utterances: Span[], alignment: Alignment): number {
  return boundaries(utterances).filter((b) => alignment.words.some((w) => inside(b, w, MID_WORD_MARGIN_MS))).length;
}

export interface LiveEndpoints {
  /** Pause ends inside a sentence: each would be a false `<end>`. */
  falseEnds: number;
  /** Sentences whose end no pause end followed (merged with the next, or never ended). */
  missedEnds: number;
  /** Per sentence ended: last word's end → the segmenter's decision, in ms of audio. */
  latenciesMs: number[];
}

/** Real-time endpointing with endpoint detection on and this `max_endpoint_delay_ms`. */
export function liveEndpoints(mix: SpeechMix, detector: VoiceDetector, maxEndpointDelayMs: number, alignment: Alignment): LiveEndpoints {
  const segmenter = new VoiceActivitySegmenter({
    ...liveSegmenterOptions({ endpointDetection: true, maxEndpointDelayMs }),
    detector,
  });
  const ended = new Set<number>();
  const result: LiveEndpoints = { falseEnds: 0, missedEnds: 0, latenciesMs: [] };
  for (let i = 0; i < mix.samples.length; i += 160) {
    const decidedMs = Math.min(i + 160, mix.samples.length) / 16;
    for (const event of segmenter.push(mix.samples.subarray(i, i + 160))) {
      if (event.type !== 'utterance-end' || event.reason !== 'pause') continue;
      if (alignment.sentences.some((s) => inside(event.atMs, s))) {
        result.falseEnds++;
        continue;
      }
      const sentence = alignment.sentences.findLastIndex((s) => s.endMs <= event.atMs);
      if (sentence >= 0 && !ended.has(sentence)) {
        ended.add(sentence);
        result.latenciesMs.push(decidedMs - alignment.sentences[sentence]!.endMs);
      }
    }
  }
  result.missedEnds = alignment.sentences.length - ended.size;
  return result;
}

/** CPU time the live segmenter spends per time of audio, fed 120 ms at a time (a client's frames). */
export function segmenterCost(mix: SpeechMix, detector: VoiceDetector): number {
  const segmenter = new VoiceActivitySegmenter({ ...liveSegmenterOptions({ endpointDetection: true, maxEndpointDelayMs: 2000 }), detector });
  const started = process.cpuUsage();
  for (let i = 0; i < mix.samples.length; i += 1920) segmenter.push(mix.samples.subarray(i, i + 1920));
  segmenter.end();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / (mix.samples.length / 16);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}
