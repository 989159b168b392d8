import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XVECTOR_FEATURE_DIM, downsampleTo8k, kaldiMfcc, slidingMeanNormalize } from './kaldi-mfcc.js';

const DIM = XVECTOR_FEATURE_DIM;

/** `count` samples of a sine at `hz`, sampled at `rate`. */
const sine = (hz: number, count: number, rate: number, amplitude = 10_000) =>
  Float32Array.from({ length: count }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));

const rms = (x: ArrayLike<number>, from: number, to: number) => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / (to - from));
};

/** The ratio of output to input RMS of a 16 kHz tone through the decimator, away from the edges. */
function gain(hz: number): number {
  const input = Int16Array.from(sine(hz, 16_000, 16_000), Math.round);
  const output = downsampleTo8k(input);
  return rms(output, 100, output.length - 100) / rms(input, 200, input.length - 200);
}

/** Pseudo-random features (a fixed-seed generator), count × DIM. */
function randomFeatures(count: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count * DIM }, () => {
    state = (state * 48271) % 2147483647;
    return (state / 2147483647) * 20 - 10;
  });
}

/** Kaldi's apply-cmvn-sliding --center=true --cmn-window=300, frame by frame, written out the slow way. */
function slidingMeanReference(features: Float32Array, count: number): Float32Array {
  const out = new Float32Array(count * DIM);
  for (let t = 0; t < count; t++) {
    let from = t - 150;
    let to = from + 300;
    if (from < 0) {
      to -= from;
      from = 0;
    }
    if (to > count) {
      from = Math.max(0, from - (to - count));
      to = count;
    }
    for (let d = 0; d < DIM; d++) {
      let sum = 0;
      for (let u = from; u < to; u++) sum += features[u * DIM + d]!;
      out[t * DIM + d] = features[t * DIM + d]! - sum / (to - from);
    }
  }
  return out;
}

describe('kaldiMfcc', () => {
  it('frames 25 ms windows every 10 ms, none past the end (snip edges): 1 + floor((n − 200) / 80) at 8 kHz', () => {
    for (const n of [0, 1, 199, 200, 279, 280, 281, 8000, 8001, 12_345]) {
      const { count, features } = kaldiMfcc(sine(440, n, 8000));
      assert.equal(count, n < 200 ? 0 : 1 + Math.floor((n - 200) / 80), `${n} samples`);
      assert.equal(features.length, count * DIM);
    }
  });

  it('puts the log energy of the frame in c0: a 1 kHz tone has its energy there, silence the floor', () => {
    const amplitude = 10_000;
    const tone = kaldiMfcc(sine(1000, 8000, 8000, amplitude));
    const silence = kaldiMfcc(new Float32Array(8000));
    // 200 samples of a sine whose period (8 samples) divides the frame: energy 200 × A² / 2, no DC to remove.
    const energy = Math.log(100 * amplitude * amplitude);
    for (let f = 0; f < tone.count; f++) {
      assert.ok(Math.abs(tone.features[f * DIM]! - energy) < 1e-3, `frame ${f}: c0 ${tone.features[f * DIM]} vs ${energy}`);
      assert.ok(tone.features[f * DIM]! > silence.features[f * DIM]! + 30, 'a tone is far above silence');
    }
    // Silence: every band at the floor, so c1 … c22 (cosines summing to zero over the bands) vanish.
    for (let d = 1; d < DIM; d++) assert.ok(Math.abs(silence.features[d]!) < 1e-6, `silence c${d} = ${silence.features[d]}`);
    assert.ok(tone.features.slice(1, DIM).some((c) => Math.abs(c) > 1), 'a tone has a spectral shape');
    // Louder by a factor of 10: c0 up by log(100), the shape (c1 …) unchanged.
    const louder = kaldiMfcc(sine(1000, 8000, 8000, 10 * amplitude));
    assert.ok(Math.abs(louder.features[5 * DIM]! - tone.features[5 * DIM]! - Math.log(100)) < 1e-3);
    assert.ok(Math.abs(louder.features[5 * DIM + 1]! - tone.features[5 * DIM + 1]!) < 1e-2);
  });
});

describe('slidingMeanNormalize', () => {
  it('over a stretch shorter than 300 frames, leaves every coefficient with zero mean', () => {
    const count = 120;
    const features = randomFeatures(count, 7);
    for (let i = 0; i < features.length; i++) features[i]! += (i % DIM) * 3;
    slidingMeanNormalize(features, count);
    for (let d = 0; d < DIM; d++) {
      let sum = 0;
      for (let t = 0; t < count; t++) sum += features[t * DIM + d]!;
      assert.ok(Math.abs(sum / count) < 1e-4, `mean of c${d}: ${sum / count}`);
    }
  });

  it('turns a constant input into zeros', () => {
    const count = 700;
    const features = Float32Array.from({ length: count * DIM }, (_, i) => 5 + (i % DIM));
    slidingMeanNormalize(features, count);
    assert.ok(features.every((v) => Math.abs(v) < 1e-4));
  });

  it('subtracts the mean of the 300 frames centred on each frame, shifted inside the stretch at its ends', () => {
    for (const count of [1, 299, 300, 301, 1000]) {
      const features = randomFeatures(count, count);
      const expected = slidingMeanReference(features, count);
      slidingMeanNormalize(features, count);
      features.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-4, `${count} frames, value ${i}: ${v} vs ${expected[i]}`));
    }
  });
});

describe('downsampleTo8k', () => {
  it('halves the samples, keeps a 1 kHz tone and removes a 6 kHz one (it would alias to 2 kHz)', () => {
    assert.equal(downsampleTo8k(new Int16Array(16_001)).length, 8000);
    const kept = gain(1000);
    const removed = gain(6000);
    assert.ok(kept > 0.98 && kept < 1.02, `1 kHz: RMS ratio ${kept}`);
    assert.ok(removed < 0.01, `6 kHz: RMS ratio ${removed}`);
    // What is kept is still a 1 kHz tone, now at 8 kHz: its c0 is that of the same tone made at 8 kHz.
    const decimated = kaldiMfcc(downsampleTo8k(Int16Array.from(sine(1000, 16_000, 16_000), Math.round)));
    const native = kaldiMfcc(sine(1000, 8000, 8000));
    assert.ok(Math.abs(decimated.features[10 * DIM]! - native.features[10 * DIM]!) < 0.05);
  });
});
