import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAME_MS, MFCC_DIM } from './mfcc.js';
import { SpeechFrames } from './speech-frames.js';

/** Natural-log power `db` decibels below 0. */
const below = (db: number) => (-db / 10) * Math.log(10);

describe('SpeechFrames', () => {
  it('keeps frames within 40 dB of the stretch\'s loudest, and marks those within 30 dB confident', () => {
    const levels = [0, 10, 29, 35, 39, 45, 80];
    const frames = new SpeechFrames();
    const stretch = frames.addStretch({
      count: levels.length,
      startMs: 1000,
      coefficients: Float32Array.from({ length: levels.length * MFCC_DIM }, (_, i) => Math.floor(i / MFCC_DIM)),
      logEnergy: Float32Array.from(levels, below),
    });
    assert.deepEqual(stretch, { from: 0, to: 5 });
    assert.deepEqual([0, 1, 2, 3, 4].map((f) => frames.timeMs(f)), [0, 1, 2, 3, 4].map((i) => 1000 + i * FRAME_MS));
    assert.deepEqual([0, 1, 2, 3, 4].map((f) => frames.confident(f)), [true, true, true, false, false]);
    assert.equal(frames.coefficients[4 * MFCC_DIM], 4, 'the frames\' coefficients in order');
  });

  it('keeps the confidence of earlier frames when it grows', () => {
    const frames = new SpeechFrames();
    const count = 3000;
    frames.addStretch({
      count,
      startMs: 0,
      coefficients: new Float32Array(count * MFCC_DIM),
      logEnergy: Float32Array.from({ length: count }, (_, i) => below(i % 2 === 0 ? 0 : 35)),
    });
    assert.equal(frames.count, count);
    for (let f = 0; f < count; f++) assert.equal(frames.confident(f), f % 2 === 0);
  });
});
