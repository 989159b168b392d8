import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianFrames, gaussianSegment } from './gaussian-frames.test-helper.js';
import { gaussianModel } from './gaussian-stats.js';
import { modelsOf, resegmentWithPriors, statsByLabel, viterbiLabels } from './resegmentation.js';

const A = [0, 0, 0];
const B = [2, -2, 1];

/** Frames of A then B, switching at frame `at` of `count`. */
function switching(count: number, at: number): Float32Array {
  const frames = new Float32Array(count * 3);
  frames.set(gaussianFrames(A, at, 1));
  frames.set(gaussianFrames(B, count - at, 2), at * 3);
  return frames;
}

describe('viterbiLabels', () => {
  const models = [gaussianModel(gaussianSegment(A, 1000, 3)), gaussianModel(gaussianSegment(B, 1000, 4))];

  it('places the change of voice where the frames change', () => {
    const labels = viterbiLabels(models, switching(300, 170), 300, [{ from: 0, to: 300 }], { changePenalty: 20, pausePenalty: 5 });
    const change = labels.findIndex((l) => l === 1);
    assert.ok(Math.abs(change - 170) <= 3, `change at ${change}`);
    assert.ok(labels.slice(change).every((l) => l === 1), 'one change only');
  });

  it('does not flicker: a few odd frames do not pay the change penalty', () => {
    const frames = gaussianFrames(A, 200, 5);
    // Three frames that look like B in the middle.
    frames.set(gaussianFrames(B, 3, 6), 100 * 3);
    const labels = viterbiLabels(models, frames, 200, [{ from: 0, to: 200 }], { changePenalty: 100, pausePenalty: 5 });
    assert.ok(labels.every((l) => l === 0));
  });

  it('labels only the frames of the stretches', () => {
    const labels = viterbiLabels(models, switching(100, 50), 100, [{ from: 10, to: 40 }, { from: 60, to: 90 }], { changePenalty: 20, pausePenalty: 5 });
    assert.equal(labels[5], -1);
    assert.equal(labels[50], -1);
    assert.equal(labels[20], 0);
    assert.equal(labels[80], 1);
  });
});

describe('statsByLabel and modelsOf', () => {
  it('re-estimate each label from its frames, and skip labels with too few frames for a model', () => {
    const frames = switching(100, 60);
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 60 ? 0 : i < 95 ? 1 : -1));
    const stats = statsByLabel(labels, frames, 3, 3);
    assert.equal(stats[0]!.count, 60);
    assert.equal(stats[1]!.count, 35);
    assert.equal(stats[2], null);
    const { index } = modelsOf(stats, 40);
    assert.deepEqual(index, [0]);
  });
});

describe('resegmentWithPriors', () => {
  const options = { changePenalty: 20, passes: 2 };
  // The labels given put the change 40 frames late, as a window across a turn change does.
  const late = Int32Array.from({ length: 300 }, (_, i) => (i < 210 ? 0 : 1));

  it('moves a change to where the frames change, with each voice learnt from its frames and its prior', () => {
    const priors = [gaussianSegment(A, 500, 7), gaussianSegment(B, 500, 8)];
    const labels = resegmentWithPriors(switching(300, 170), 3, late, 2, priors, { ...options, minFrames: 6 });
    const change = labels.findIndex((l) => l === 1);
    assert.ok(Math.abs(change - 170) <= 3, `change at ${change}`);
  });

  it('leaves the labels as given when a voice has too little to learn from', () => {
    const labels = resegmentWithPriors(switching(300, 170), 3, late, 2, [null, null], { ...options, minFrames: 100 });
    assert.deepEqual(labels, late);
  });
});
