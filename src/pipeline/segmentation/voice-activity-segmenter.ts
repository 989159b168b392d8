/**
 * Voice activity segmentation of a 16 kHz mono PCM stream.
 *
 * Push samples as they arrive and get events back: where an utterance starts
 * and where it ends. An utterance ends at a pause, or, when nobody pauses, it
 * is cut at its quietest point so no utterance exceeds a maximum length
 * (which bounds the memory and decode time of one utterance). The same
 * incremental API serves batch splitting (utterance-splitter.ts) and live
 * endpoint detection. Which frames are speech is a classifier's call
 * (speech-classifier.ts): energy above the noise floor, or the Silero VAD.
 */
import { ENGINE_SAMPLE_RATE } from '../engines/speech-engine.js';
import { FRAME_MS, FRAME_SAMPLES, frameEnergyDb } from './frame-energy.js';
import { EnergyClassifier } from './energy-classifier.js';
import { SileroClassifier } from './silero-classifier.js';
import type { SpeechClassifier, VoiceDetector } from './speech-classifier.js';

export interface SegmenterOptions {
  /** A pause at least this long ends an utterance. */
  minPauseMs: number;
  /** Audio kept before the first and after the last loud frame of an utterance; less than minPauseMs. */
  paddingMs: number;
  /** Consecutive loud audio needed to start an utterance; shorter clicks are ignored. */
  minSpeechMs: number;
  /** Utterances reaching this length are cut at their quietest point; at least 1 s. */
  maxUtteranceMs: number;
  /** How far above the noise floor a frame must be to count as speech (energy detector). */
  thresholdDb: number;
  /** What labels frames as speech. */
  detector: VoiceDetector;
}

/**
 * Defaults tuned on read and conversational English: a 500 ms pause is about
 * where a sentence ends (shorter ones are mostly commas, and PocketSphinx's
 * own endpointer waits 500 ms too); 20 s utterances keep one decoder call to a
 * few seconds of CPU.
 */
export const DEFAULT_SEGMENTER_OPTIONS: Readonly<SegmenterOptions> = {
  minPauseMs: 500,
  paddingMs: 200,
  minSpeechMs: 50,
  maxUtteranceMs: 20_000,
  thresholdDb: 10,
  detector: 'energy',
};

/**
 * Why an utterance ended. Only `max-length` is not a natural break in speech;
 * `cut` is the caller's decision (see {@link VoiceActivitySegmenter.cut}).
 */
export type UtteranceEndReason = 'pause' | 'max-length' | 'end-of-audio' | 'cut';

/** Times are milliseconds from the first pushed sample. */
export type SegmenterEvent =
  | { type: 'speech-start'; atMs: number }
  | { type: 'utterance-end'; atMs: number; reason: UtteranceEndReason };

// Classifiers label frames at most this late (the energy one waits 300 ms
// for its first noise floor), so energies are kept this much longer.
const MAX_LABEL_LAG_FRAMES = 100;
// The quietest point of an over-long utterance is the quietest 100 ms stretch.
const QUIET_SMOOTHING_FRAMES = 10;

/**
 * Incremental segmenter. Feed it with {@link push}, finish with {@link end};
 * it keeps only per-frame energies, never audio, so callers decide what
 * samples to retain (see {@link retainFromMs}).
 *
 * @example
 * const segmenter = new VoiceActivitySegmenter();
 * for (const chunk of chunks) for (const event of segmenter.push(chunk)) handle(event);
 * for (const event of segmenter.end()) handle(event);
 */
export class VoiceActivitySegmenter {
  private readonly options: SegmenterOptions;
  private readonly classifier: SpeechClassifier;
  // Energies of the latest frames, enough to cover one maximum-length utterance.
  private readonly energies: Float32Array;
  private readonly labels: boolean[] = [];
  private readonly partialFrame = new Int16Array(FRAME_SAMPLES);
  private partialLength = 0;
  private samplesSeen = 0;
  /** Index of the next frame to judge. */
  private frame = 0;
  /** Frames handed to the classifier (it has labelled up to {@link frame}). */
  private framesTaken = 0;
  private inSpeech = false;
  private loudRun = 0;
  private lastLoudFrame = -1;
  private utteranceStartMs = 0;
  private lastEndMs = 0;

  /** @throws {RangeError} when the options contradict each other. */
  constructor(options: Partial<SegmenterOptions> = {}) {
    this.options = { ...DEFAULT_SEGMENTER_OPTIONS, ...options };
    const { minPauseMs, paddingMs, minSpeechMs, maxUtteranceMs } = this.options;
    if (!(paddingMs >= 0 && paddingMs < minPauseMs && minSpeechMs >= 0 && maxUtteranceMs >= 1000)) {
      throw new RangeError('Segmenter needs 0 <= paddingMs < minPauseMs, minSpeechMs >= 0 and maxUtteranceMs >= 1000');
    }
    this.energies = new Float32Array(Math.ceil(maxUtteranceMs / FRAME_MS) + 1 + MAX_LABEL_LAG_FRAMES);
    this.classifier = this.options.detector === 'silero' ? new SileroClassifier() : new EnergyClassifier(this.options.thresholdDb);
  }

  /** Analyses more samples and returns the events they complete, in time order. */
  push(samples: Int16Array): SegmenterEvent[] {
    const events: SegmenterEvent[] = [];
    this.samplesSeen += samples.length;
    let i = 0;
    if (this.partialLength > 0) {
      i = Math.min(FRAME_SAMPLES - this.partialLength, samples.length);
      this.partialFrame.set(samples.subarray(0, i), this.partialLength);
      this.partialLength += i;
      if (this.partialLength < FRAME_SAMPLES) return events;
      this.addFrame(this.partialFrame, 0, events);
      this.partialLength = 0;
    }
    for (; i + FRAME_SAMPLES <= samples.length; i += FRAME_SAMPLES) this.addFrame(samples, i, events);
    this.partialFrame.set(samples.subarray(i));
    this.partialLength = samples.length - i;
    return events;
  }

  /** Ends the stream: closes an open utterance at its last speech (plus padding). */
  end(): SegmenterEvent[] {
    const events: SegmenterEvent[] = [];
    this.judgePending(events);
    if (this.inSpeech) {
      const streamEndMs = Math.ceil((this.samplesSeen * 1000) / ENGINE_SAMPLE_RATE);
      const atMs = Math.min(streamEndMs, this.speechEndMs());
      events.push({ type: 'utterance-end', atMs, reason: 'end-of-audio' });
      this.inSpeech = false;
    }
    return events;
  }

  /**
   * Closes the open utterance now, without ending the stream: a live caller
   * was asked to settle everything heard so far. The utterance ends at its
   * last speech (plus padding) as at the end of the audio; speech after the
   * cut opens a new utterance, which never reaches back before the cut.
   */
  cut(): SegmenterEvent[] {
    const events: SegmenterEvent[] = [];
    this.judgePending(events);
    const nowMs = this.frame * FRAME_MS;
    if (this.inSpeech) {
      events.push({ type: 'utterance-end', atMs: Math.min(nowMs, this.speechEndMs()), reason: 'cut' });
      this.inSpeech = false;
    }
    this.lastEndMs = Math.max(this.lastEndMs, nowMs);
    this.loudRun = 0;
    return events;
  }

  /**
   * No future event will point before this time, so audio before it can be
   * dropped. Inside an utterance it is the utterance start.
   */
  retainFromMs(): number {
    if (this.inSpeech) return this.utteranceStartMs;
    const earliestOnsetMs = (this.frame - this.loudRun) * FRAME_MS;
    return Math.max(this.lastEndMs, earliestOnsetMs - this.options.paddingMs, 0);
  }

  private addFrame(samples: Int16Array, start: number, events: SegmenterEvent[]): void {
    const energyDb = frameEnergyDb(samples, start, FRAME_SAMPLES);
    this.energies[this.framesTaken++ % this.energies.length] = energyDb;
    this.classifier.add(samples, start, energyDb, this.labels);
    this.judgeLabelled(events);
  }

  /** Has the classifier label every frame it holds back, and judges them. */
  private judgePending(events: SegmenterEvent[]): void {
    this.classifier.flush(this.labels);
    this.judgeLabelled(events);
  }

  private judgeLabelled(events: SegmenterEvent[]): void {
    for (const loud of this.labels) this.judge(loud, events);
    this.labels.length = 0;
  }

  private judge(loud: boolean, events: SegmenterEvent[]): void {
    const { minPauseMs, paddingMs, minSpeechMs, maxUtteranceMs } = this.options;
    const f = this.frame++;

    if (!this.inSpeech) {
      this.loudRun = loud ? this.loudRun + 1 : 0;
      if (this.loudRun === 0 || this.loudRun * FRAME_MS < minSpeechMs) return;
      const onsetMs = (f - this.loudRun + 1) * FRAME_MS;
      this.utteranceStartMs = Math.max(this.lastEndMs, onsetMs - paddingMs, 0);
      this.inSpeech = true;
      this.lastLoudFrame = f;
      events.push({ type: 'speech-start', atMs: this.utteranceStartMs });
      return;
    }

    if (loud) this.lastLoudFrame = f;
    const frameEndMs = (f + 1) * FRAME_MS;
    if ((f - this.lastLoudFrame) * FRAME_MS >= minPauseMs) {
      // paddingMs < minPauseMs, so the end is never after this frame.
      const atMs = this.speechEndMs();
      events.push({ type: 'utterance-end', atMs, reason: 'pause' });
      this.inSpeech = false;
      this.lastEndMs = atMs;
      this.loudRun = 0;
    } else if (frameEndMs - this.utteranceStartMs >= maxUtteranceMs) {
      const cutMs = this.quietestPointMs(f);
      events.push({ type: 'utterance-end', atMs: cutMs, reason: 'max-length' });
      events.push({ type: 'speech-start', atMs: cutMs });
      this.utteranceStartMs = cutMs;
    }
  }

  /**
   * Last loud frame plus padding. After a length cut the utterance may hold
   * no loud frame at all; it then ends where it starts, empty.
   */
  private speechEndMs(): number {
    const endMs = (this.lastLoudFrame + 1) * FRAME_MS + this.options.paddingMs;
    return Math.max(this.utteranceStartMs, endMs);
  }

  /**
   * Middle of the quietest 100 ms in the second half of the current
   * utterance (up to frame `last`): cutting there splits a word least often,
   * and searching only the second half keeps pieces from getting short.
   */
  private quietestPointMs(last: number): number {
    const first = Math.ceil((this.utteranceStartMs + this.options.maxUtteranceMs / 2) / FRAME_MS);
    const energyAt = (frame: number) => this.energies[frame % this.energies.length]!;
    let sum = 0;
    for (let f = first; f < first + QUIET_SMOOTHING_FRAMES; f++) sum += energyAt(f);
    let best = sum;
    let bestStart = first;
    for (let start = first + 1; start + QUIET_SMOOTHING_FRAMES - 1 <= last; start++) {
      sum += energyAt(start + QUIET_SMOOTHING_FRAMES - 1) - energyAt(start - 1);
      if (sum < best) {
        best = sum;
        bestStart = start;
      }
    }
    return (bestStart + QUIET_SMOOTHING_FRAMES / 2) * FRAME_MS;
  }
}
