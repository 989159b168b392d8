import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianFrames, gaussianSegment } from './gaussian-frames.test-helper.js';
import {
  addFrames,
  cholesky,
  covariance,
  deltaBic,
  emptyStats,
  gaussianModel,
  logLikelihood,
  mergeStats,
} from './gaussian-stats.js';

describe('Gaussian statistics', () => {
  it('estimate the mean and covariance of their frames', () => {
    const stats = emptyStats(2);
    addFrames(stats, Float32Array.from([1, 2, 3, 6]), 0, 2);
    assert.equal(stats.count, 2);
    assert.deepEqual([...stats.sum], [4, 8]);
    const cov = covariance(stats);
    // Variances 1 and 4, covariance 2, plus the small diagonal floor.
    assert.ok(Math.abs(cov[0]! - 1) < 0.01 && Math.abs(cov[3]! - 4) < 0.01);
    assert.equal(cov[1], 2);
    assert.equal(cov[2], 2);
  });

  it('merge by adding: the union of two segments equals adding all frames at once', () => {
    const frames = gaussianFrames([0, 1, 2], 50, 1);
    const a = emptyStats(3);
    const b = emptyStats(3);
    const all = emptyStats(3);
    addFrames(a, frames, 0, 20);
    addFrames(b, frames, 20, 50);
    addFrames(all, frames, 0, 50);
    const merged = mergeStats(a, b);
    assert.equal(merged.count, all.count);
    merged.scatter.forEach((v, i) => assert.ok(Math.abs(v - all.scatter[i]!) < 1e-9));
  });

  it('factor a positive-definite matrix as L Lᵀ, and refuse one that is not', () => {
    const l = cholesky(Float64Array.from([4, 2, 2, 3]), 2);
    assert.deepEqual([...l], [2, 0, 1, Math.sqrt(2)]);
    assert.throws(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2), RangeError);
  });

  it('score frames like the Gaussian density formula', () => {
    const stats = gaussianSegment([0, 0], 2000, 2);
    const model = gaussianModel(stats);
    const cov = covariance(stats);
    const x = Float32Array.from([0.5, -1]);
    const det = cov[0]! * cov[3]! - cov[1]! * cov[2]!;
    const inv = [cov[3]! / det, -cov[1]! / det, -cov[2]! / det, cov[0]! / det];
    const quad = 0.5 * (0.5 - model.mean[0]!) ** 2 * inv[0]! + (0.5 - model.mean[0]!) * (-1 - model.mean[1]!) * inv[1]! + 0.5 * (-1 - model.mean[1]!) ** 2 * inv[3]!;
    const expected = -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - quad;
    assert.ok(Math.abs(logLikelihood(model, x, 0, 1, new Float64Array(2)) - expected) < 1e-9);
  });

  it('BIC: segments of one distribution are one voice, of two distributions two', () => {
    const same = deltaBic(gaussianSegment([0, 0, 0], 300, 3), gaussianSegment([0, 0, 0], 300, 4), 1);
    const different = deltaBic(gaussianSegment([0, 0, 0], 300, 5), gaussianSegment([1, -1, 0.5], 300, 6), 1);
    assert.ok(same < 0, `same ${same}`);
    assert.ok(different > 0, `different ${different}`);
    // A larger penalty makes merging easier.
    assert.ok(deltaBic(gaussianSegment([0, 0, 0], 300, 5), gaussianSegment([1, -1, 0.5], 300, 6), 50) < 0);
  });
});
