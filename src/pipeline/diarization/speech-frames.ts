/**
 * The MFCC frames of a recording's speech, in time order, grouped in
 * stretches (the utterances they came from). Quiet frames (the pauses and
 * padding inside an utterance) are dropped: silence has no voice, and would
 * make every speaker's model partly a model of the room.
 */
import { FRAME_MS, MFCC_DIM, type MfccFrames } from './mfcc.js';

/**
 * Frames quieter than the stretch's loudest by more than this (natural log
 * energy) are not speech; the live diarizer uses it for its words' frames
 * too. 40 dB, not 30: a turn 20 dB quieter than its neighbour lost most of
 * its frames at 30, and its words went to the neighbour's turn.
 */
const SPEECH_RANGE_DB = 40;
export const SPEECH_RANGE = (SPEECH_RANGE_DB / 10) * Math.log(10);
/** Frames within this of the stretch's loudest are confident speech. */
const CONFIDENT_RANGE_DB = 30;
const CONFIDENT_RANGE = (CONFIDENT_RANGE_DB / 10) * Math.log(10);

/** Frames `from` … `to - 1` of the store, which came from one stretch of audio. */
export interface Stretch {
  from: number;
  to: number;
}

/**
 * Growable store of speech frames.
 *
 * @example
 * const frames = new SpeechFrames();
 * frames.addStretch(new MfccExtractor(offsetMs).push(samples));
 */
export class SpeechFrames {
  private rows = new Float32Array(1024 * MFCC_DIM);
  private times = new Int32Array(1024);
  private confidence = new Uint8Array(1024);
  private length = 0;
  readonly stretches: Stretch[] = [];

  get count(): number {
    return this.length;
  }

  /** Row-major coefficients of every frame (valid up to {@link count}). */
  get coefficients(): Float32Array {
    return this.rows;
  }

  /** Whether frame `index` is within {@link CONFIDENT_RANGE_DB} of its stretch's loudest. */
  confident(index: number): boolean {
    return this.confidence[index] === 1;
  }

  /** Start of frame `index`'s window, ms. */
  timeMs(index: number): number {
    return this.times[index]!;
  }

  /** End of the audio frame `index` stands for (its hop), ms. */
  endMs(index: number): number {
    return this.times[index]! + FRAME_MS;
  }

  /** Adds the speech frames of one stretch of audio; returns it (possibly empty). */
  addStretch(frames: MfccFrames): Stretch {
    let loudest = -Infinity;
    for (let i = 0; i < frames.count; i++) loudest = Math.max(loudest, frames.logEnergy[i]!);
    const from = this.length;
    for (let i = 0; i < frames.count; i++) {
      if (frames.logEnergy[i]! < loudest - SPEECH_RANGE) continue;
      this.append(frames, i, frames.logEnergy[i]! >= loudest - CONFIDENT_RANGE);
    }
    const stretch = { from, to: this.length };
    if (stretch.to > stretch.from) this.stretches.push(stretch);
    return stretch;
  }

  /** Appends frame `i` of `frames`. */
  private append(frames: MfccFrames, i: number, confident: boolean): void {
    if (this.length === this.times.length) {
      const rows = new Float32Array(this.rows.length * 2);
      rows.set(this.rows);
      this.rows = rows;
      const times = new Int32Array(this.times.length * 2);
      times.set(this.times);
      this.times = times;
      const confidence = new Uint8Array(this.confidence.length * 2);
      confidence.set(this.confidence);
      this.confidence = confidence;
    }
    this.rows.set(frames.coefficients.subarray(i * MFCC_DIM, (i + 1) * MFCC_DIM), this.length * MFCC_DIM);
    this.times[this.length] = frames.startMs + i * FRAME_MS;
    this.confidence[this.length] = confident ? 1 : 0;
    this.length++;
  }
}
