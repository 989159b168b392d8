/**
 * Batch use of the segmenter: turns a PCM stream into the audio of its
 * utterances. Memory stays bounded by one maximum-length utterance plus one
 * input chunk, whatever the length of the stream; audio between utterances
 * (beyond the padding) is dropped.
 */
import { ENGINE_SAMPLE_RATE } from '../engines/speech-engine.js';
import {
  type SegmenterEvent,
  type SegmenterOptions,
  VoiceActivitySegmenter,
} from './voice-activity-segmenter.js';

/** One utterance's audio and where it sits in the stream. */
export interface Utterance {
  offsetMs: number;
  samples: Int16Array;
  /** False when the utterance was cut only to bound its length (not at a pause). */
  endsSentence: boolean;
}

const SAMPLES_PER_MS = ENGINE_SAMPLE_RATE / 1000;

/**
 * Splits 16 kHz mono PCM into utterances, in order. Utterances without
 * samples are not yielded.
 *
 * @example
 * for await (const u of splitUtterances(decodeAudio(path))) recognizer.recognize(u.samples, u.offsetMs);
 */
export async function* splitUtterances(
  pcm: AsyncIterable<Int16Array>,
  options: Partial<SegmenterOptions> = {},
): AsyncGenerator<Utterance> {
  const segmenter = new VoiceActivitySegmenter(options);
  const buffer = new SampleBuffer();
  let startSample = 0;

  function* handle(events: SegmenterEvent[]): Generator<Utterance> {
    for (const event of events) {
      const atSample = event.atMs * SAMPLES_PER_MS;
      if (event.type === 'speech-start') {
        startSample = atSample;
        continue;
      }
      const samples = buffer.copy(startSample, atSample);
      buffer.dropBefore(atSample);
      if (samples.length > 0) {
        yield { offsetMs: startSample / SAMPLES_PER_MS, samples, endsSentence: event.reason !== 'max-length' };
      }
    }
  }

  for await (const chunk of pcm) {
    buffer.append(chunk);
    yield* handle(segmenter.push(chunk));
    buffer.dropBefore(segmenter.retainFromMs() * SAMPLES_PER_MS);
  }
  yield* handle(segmenter.end());
}

/**
 * Growable window over a sample stream, addressed by absolute sample index
 * (0 = first sample of the stream).
 */
export class SampleBuffer {
  private data = new Int16Array(ENGINE_SAMPLE_RATE);
  /** Absolute index of data[0]. */
  private start = 0;
  private length = 0;

  append(samples: Int16Array): void {
    if (this.length + samples.length > this.data.length) {
      const grown = new Int16Array(Math.max(this.data.length * 2, this.length + samples.length));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(samples, this.length);
    this.length += samples.length;
  }

  /** Copy of samples [from, to), clipped to what the buffer holds. */
  copy(from: number, to: number): Int16Array {
    const begin = Math.max(0, from - this.start);
    const end = Math.min(this.length, to - this.start);
    return this.data.slice(begin, Math.max(begin, end));
  }

  dropBefore(index: number): void {
    const drop = Math.min(this.length, index - this.start);
    if (drop <= 0) return;
    // Shift in place; reallocating would churn memory on every chunk.
    this.data.copyWithin(0, drop, this.length);
    this.length -= drop;
    this.start += drop;
  }
}
