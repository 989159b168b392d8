/**
 * Mel-frequency cepstral coefficients of 16 kHz speech, the acoustic
 * features the diarizer models voices with: 25 ms Hamming windows every
 * 10 ms, a 512-point FFT (fft.js), 24 triangular mel filters (60–7600 Hz),
 * log, DCT.
 *
 * c0 (overall loudness) is left out of the vectors: it says more about the
 * microphone distance and the recording level than about the voice, so two
 * recordings of one person at different levels would look like two people.
 * It is kept separately as the frame's log energy, to tell speech from the
 * pauses inside an utterance.
 */
import FFT from 'fft.js';
import { ENGINE_SAMPLE_RATE } from '../engines/speech-engine.js';

/** Hop between frames: the diarizer's time resolution. */
export const FRAME_MS = 10;
/** Coefficients per frame (c1 … c12). */
export const MFCC_DIM = 12;

const HOP_SAMPLES = (ENGINE_SAMPLE_RATE / 1000) * FRAME_MS;
const WINDOW_SAMPLES = 400;
const FFT_SIZE = 512;
const MEL_FILTERS = 24;
const LOW_HZ = 60;
// The whole band of 16 kHz audio: on the evaluation set, stopping at 3.8 kHz
// (telephone band) separated voices less well. Telephone audio has nothing
// above 4 kHz, so its top filters only see the resampler's floor, alike
// for every voice of that recording.
const HIGH_HZ = 7600;
const PRE_EMPHASIS = 0.97;
// 50 dB below the mean band energy: on the tuning part of the evaluation set
// 1e-4 and up split the LibriVox reader of the unit tests in two.
const RELATIVE_FLOOR = 1e-5;

/** Frames of one stretch of audio: `count` vectors of {@link MFCC_DIM}, row after row. */
export interface MfccFrames {
  count: number;
  /** Stream time of frame i's window start: `startMs + i * FRAME_MS`. */
  startMs: number;
  coefficients: Float32Array;
  /** Natural log of each frame's mean power (c0's source), for speech/pause decisions. */
  logEnergy: Float32Array;
}

const melOf = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const hzOf = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

/** Triangular filters over the FFT bins, as [firstBin, weights] pairs. */
function melFilterbank(): { first: number; weights: Float64Array }[] {
  const lowMel = melOf(LOW_HZ);
  const step = (melOf(HIGH_HZ) - lowMel) / (MEL_FILTERS + 1);
  const binHz = ENGINE_SAMPLE_RATE / FFT_SIZE;
  const filters = [];
  for (let m = 0; m < MEL_FILTERS; m++) {
    const [left, centre, right] = [0, 1, 2].map((k) => hzOf(lowMel + (m + k) * step)) as [number, number, number];
    const first = Math.ceil(left / binHz);
    const last = Math.floor(right / binHz);
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let bin = first; bin <= last; bin++) {
      const hz = bin * binHz;
      weights[bin - first] = hz <= centre ? (hz - left) / (centre - left) : (right - hz) / (right - centre);
    }
    filters.push({ first, weights });
  }
  return filters;
}

/** Orthonormal DCT-II rows 1 … MFCC_DIM. */
function dctMatrix(): Float64Array {
  const matrix = new Float64Array(MFCC_DIM * MEL_FILTERS);
  for (let k = 1; k <= MFCC_DIM; k++) {
    for (let m = 0; m < MEL_FILTERS; m++) {
      matrix[(k - 1) * MEL_FILTERS + m] = Math.sqrt(2 / MEL_FILTERS) * Math.cos((Math.PI * k * (m + 0.5)) / MEL_FILTERS);
    }
  }
  return matrix;
}

const HAMMING = Float64Array.from({ length: WINDOW_SAMPLES }, (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (WINDOW_SAMPLES - 1)));
const FILTERS = melFilterbank();
const DCT = dctMatrix();

/**
 * Streaming MFCC extraction: audio may arrive in chunks of any size; the
 * frames are the same as for the whole stretch at once.
 *
 * @example
 * const mfcc = new MfccExtractor(1200); // the audio starts 1.2 s into the stream
 * const frames = mfcc.push(samples);    // frames.count ≈ samples.length / 160
 */
export class MfccExtractor {
  private readonly fft = new FFT(FFT_SIZE);
  private readonly input = new Array<number>(FFT_SIZE).fill(0);
  private readonly spectrum: number[] = this.fft.createComplexArray();
  private readonly mel = new Float64Array(MEL_FILTERS);
  /** Samples not yet covered by a whole frame hop, after the last emitted frame's start. */
  private pending = new Int16Array(0);
  private nextFrameMs: number;
  /** Previous sample, for pre-emphasis across chunk boundaries. */
  private previous = 0;

  /** @param startMs stream time of the first sample that will be pushed. */
  constructor(startMs = 0) {
    this.nextFrameMs = startMs;
  }

  /** The frames that `samples` complete (a frame needs 25 ms from its start). */
  push(samples: Int16Array): MfccFrames {
    const audio = new Int16Array(this.pending.length + samples.length);
    audio.set(this.pending);
    audio.set(samples, this.pending.length);
    const count = audio.length < WINDOW_SAMPLES ? 0 : Math.floor((audio.length - WINDOW_SAMPLES) / HOP_SAMPLES) + 1;
    const frames: MfccFrames = {
      count,
      startMs: this.nextFrameMs,
      coefficients: new Float32Array(count * MFCC_DIM),
      logEnergy: new Float32Array(count),
    };
    for (let f = 0; f < count; f++) this.frame(audio, f * HOP_SAMPLES, frames, f);
    this.pending = audio.slice(count * HOP_SAMPLES);
    this.nextFrameMs += count * FRAME_MS;
    return frames;
  }

  private frame(audio: Int16Array, start: number, out: MfccFrames, index: number): void {
    // Pre-emphasis uses the sample before the window, as a filter over the whole stream would.
    let previous = start > 0 ? audio[start - 1]! : this.previous;
    let power = 0;
    for (let i = 0; i < WINDOW_SAMPLES; i++) {
      const s = audio[start + i]!;
      power += s * s;
      this.input[i] = (s - PRE_EMPHASIS * previous) * HAMMING[i]!;
      previous = s;
    }
    if (start + HOP_SAMPLES < audio.length) this.previous = audio[start + HOP_SAMPLES - 1]!;
    this.fft.realTransform(this.spectrum, this.input);
    let total = 0;
    for (let m = 0; m < MEL_FILTERS; m++) {
      const { first, weights } = FILTERS[m]!;
      let energy = 0;
      for (let j = 0; j < weights.length; j++) {
        const re = this.spectrum[2 * (first + j)]!;
        const im = this.spectrum[2 * (first + j) + 1]!;
        energy += weights[j]! * (re * re + im * im);
      }
      this.mel[m] = energy;
      total += energy;
    }
    // A floor relative to the frame's own energy, so that the coefficients do
    // not change with the level: bands with next to nothing in them (above
    // 4 kHz in telephone audio) would otherwise follow the gain. +1 keeps
    // digital silence finite.
    const floor = (RELATIVE_FLOOR * total) / MEL_FILTERS + 1;
    for (let m = 0; m < MEL_FILTERS; m++) this.mel[m] = Math.log(this.mel[m]! + floor);
    for (let k = 0; k < MFCC_DIM; k++) {
      let c = 0;
      for (let m = 0; m < MEL_FILTERS; m++) c += DCT[k * MEL_FILTERS + m]! * this.mel[m]!;
      out.coefficients[index * MFCC_DIM + k] = c;
    }
    out.logEnergy[index] = Math.log(power / WINDOW_SAMPLES + 1);
  }
}
