/**
 * The features the Kaldi x-vector network was trained on (its `mfcc.conf`:
 * 8 kHz, 23 cepstra from 23 mel bands over 20–3700 Hz, c0 replaced by the
 * frame's log energy), computed as Kaldi's `compute-mfcc-feats` does: 25 ms
 * frames every 10 ms, DC removed, raw log energy, pre-emphasis 0.97, Povey
 * window, 256-point FFT, power spectrum, natural log, DCT, lifter 22; then
 * `apply-cmvn-sliding` (means over 300 frames, centred). Dither is left out,
 * so that the same audio always gives the same speakers.
 *
 * Hark's audio is 16 kHz; it is low-passed and decimated to 8 kHz first, as
 * `--allow-downsample` does in Kaldi.
 */
import FFT from 'fft.js';

export const XVECTOR_FEATURE_DIM = 23;
/** 10 ms hop at 8 kHz. */
const HOP = 80;
const WINDOW = 200;
const FFT_SIZE = 256;
const MEL_BANDS = 23;
const LOW_HZ = 20;
const HIGH_HZ = 3700;
const RATE = 8000;
const LIFTER = 22;
const PRE_EMPHASIS = 0.97;
const CMN_WINDOW = 300;
/** Kaldi floors energies at the float epsilon before the log. */
const FLOOR = 1.1920928955078125e-7;

/** Half-band low-pass for 16 → 8 kHz: Blackman-windowed sinc, cut at 3.8 kHz. */
const DECIMATION_TAPS = (() => {
  const taps = 47;
  const cutoff = 3800 / 16000;
  const out = new Float64Array(taps);
  const mid = (taps - 1) / 2;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    out[i] = sinc * w;
    sum += out[i]!;
  }
  for (let i = 0; i < taps; i++) out[i]! /= sum;
  return out;
})();

/** 16 kHz samples (int16 scale, as Kaldi reads WAV files) → 8 kHz. */
export function downsampleTo8k(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length >> 1);
  const mid = (DECIMATION_TAPS.length - 1) >> 1;
  for (let o = 0; o < out.length; o++) {
    const centre = 2 * o;
    let acc = 0;
    for (let k = 0; k < DECIMATION_TAPS.length; k++) {
      const i = centre + k - mid;
      if (i >= 0 && i < samples.length) acc += DECIMATION_TAPS[k]! * samples[i]!;
    }
    out[o] = acc;
  }
  return out;
}

const mel = (hz: number) => 1127 * Math.log(1 + hz / 700);

/** Kaldi's triangular mel filters over the first FFT_SIZE/2 bins. */
const FILTERS = (() => {
  const lowMel = mel(LOW_HZ);
  const delta = (mel(HIGH_HZ) - lowMel) / (MEL_BANDS + 1);
  const binHz = RATE / FFT_SIZE;
  const filters: { first: number; weights: Float64Array }[] = [];
  for (let b = 0; b < MEL_BANDS; b++) {
    const left = lowMel + b * delta;
    const centre = left + delta;
    const right = centre + delta;
    const weights: number[] = [];
    let first = -1;
    for (let i = 0; i < FFT_SIZE / 2; i++) {
      const m = mel(binHz * i);
      if (m > left && m < right) {
        if (first < 0) first = i;
        weights[i - first] = m <= centre ? (m - left) / (centre - left) : (right - m) / (right - centre);
      }
    }
    filters.push({ first, weights: Float64Array.from(weights) });
  }
  return filters;
})();

/** Kaldi's DCT (orthonormal type II), rows c0 … c22, with the cepstral lifter applied. */
const DCT = (() => {
  const out = new Float64Array(XVECTOR_FEATURE_DIM * MEL_BANDS);
  for (let k = 0; k < XVECTOR_FEATURE_DIM; k++) {
    const norm = k === 0 ? Math.sqrt(1 / MEL_BANDS) : Math.sqrt(2 / MEL_BANDS);
    const lift = 1 + 0.5 * LIFTER * Math.sin((Math.PI * k) / LIFTER);
    for (let n = 0; n < MEL_BANDS; n++) out[k * MEL_BANDS + n] = norm * Math.cos((Math.PI / MEL_BANDS) * (n + 0.5) * k) * lift;
  }
  return out;
})();

const POVEY = Float64Array.from({ length: WINDOW }, (_, i) => (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (WINDOW - 1))) ** 0.85);

const fft = new FFT(FFT_SIZE);

/** Frames of `samples8k` (Kaldi's snip-edges framing): count × 23, row-major. */
export function kaldiMfcc(samples8k: Float32Array): { count: number; features: Float32Array } {
  const count = samples8k.length < WINDOW ? 0 : 1 + Math.floor((samples8k.length - WINDOW) / HOP);
  const features = new Float32Array(count * XVECTOR_FEATURE_DIM);
  const frame = new Float64Array(FFT_SIZE);
  const input = fft.createComplexArray() as number[];
  const spectrum = fft.createComplexArray() as number[];
  const bands = new Float64Array(MEL_BANDS);
  for (let f = 0; f < count; f++) {
    const start = f * HOP;
    let mean = 0;
    for (let i = 0; i < WINDOW; i++) mean += samples8k[start + i]!;
    mean /= WINDOW;
    let energy = 0;
    for (let i = 0; i < WINDOW; i++) {
      frame[i] = samples8k[start + i]! - mean;
      energy += frame[i]! * frame[i]!;
    }
    for (let i = WINDOW - 1; i > 0; i--) frame[i]! -= PRE_EMPHASIS * frame[i - 1]!;
    frame[0]! -= PRE_EMPHASIS * frame[0]!;
    for (let i = 0; i < FFT_SIZE; i++) {
      input[2 * i] = i < WINDOW ? frame[i]! * POVEY[i]! : 0;
      input[2 * i + 1] = 0;
    }
    fft.transform(spectrum, input);
    for (let b = 0; b < MEL_BANDS; b++) {
      const { first, weights } = FILTERS[b]!;
      let sum = 0;
      for (let w = 0; w < weights.length; w++) {
        const re = spectrum[2 * (first + w)]!;
        const im = spectrum[2 * (first + w) + 1]!;
        sum += weights[w]! * (re * re + im * im);
      }
      bands[b] = Math.log(Math.max(sum, FLOOR));
    }
    const row = f * XVECTOR_FEATURE_DIM;
    for (let k = 0; k < XVECTOR_FEATURE_DIM; k++) {
      let c = 0;
      for (let n = 0; n < MEL_BANDS; n++) c += DCT[k * MEL_BANDS + n]! * bands[n]!;
      features[row + k] = c;
    }
    features[row] = Math.log(Math.max(energy, FLOOR));
  }
  return { count, features };
}

/**
 * Kaldi's `apply-cmvn-sliding --center=true --cmn-window=300`, in place:
 * each frame minus the mean of the 300 frames around it (shifted to stay
 * inside the stretch; the whole stretch when it is shorter).
 */
export function slidingMeanNormalize(features: Float32Array, count: number, dim = XVECTOR_FEATURE_DIM): void {
  if (count === 0) return;
  const source = features.slice(0, count * dim);
  const window = Math.min(CMN_WINDOW, count);
  const sum = new Float64Array(dim);
  let from = 0;
  let to = window;
  for (let t = from; t < to; t++) for (let d = 0; d < dim; d++) sum[d]! += source[t * dim + d]!;
  for (let t = 0; t < count; t++) {
    const wantFrom = Math.min(Math.max(0, t - (CMN_WINDOW >> 1)), count - window);
    while (from < wantFrom) {
      for (let d = 0; d < dim; d++) {
        sum[d]! -= source[from * dim + d]!;
        sum[d]! += source[to * dim + d]!;
      }
      from++;
      to++;
    }
    for (let d = 0; d < dim; d++) features[t * dim + d] = source[t * dim + d]! - sum[d]! / window;
  }
}


/** What the x-vector network takes for a stretch of 16 kHz speech. */
export interface XvectorInput {
  count: number;
  /** count × 23, mean-normalised (Kaldi's sliding window). */
  features: Float32Array;
  /** 1 for the frames of speech, 0 for the pauses: embeddings pool only the first. */
  voiced: Uint8Array;
}

/** `voicedRangeDb`: frames quieter than the stretch's loudest by more than this are pauses (30 dB, as for the confident frames of speech-frames.ts). */
export function xvectorInput(samples: Int16Array, voicedRangeDb = 30): XvectorInput {
  const range = (voicedRangeDb / 10) * Math.log(10);
  const { count, features } = kaldiMfcc(downsampleTo8k(samples));
  const voiced = new Uint8Array(count);
  let loudest = -Infinity;
  for (let f = 0; f < count; f++) loudest = Math.max(loudest, features[f * XVECTOR_FEATURE_DIM]!);
  for (let f = 0; f < count; f++) voiced[f] = features[f * XVECTOR_FEATURE_DIM]! >= loudest - range ? 1 : 0;
  slidingMeanNormalize(features, count);
  return { count, features, voiced };
}
