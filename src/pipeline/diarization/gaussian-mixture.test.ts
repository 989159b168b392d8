import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianFrames } from './gaussian-frames.test-helper.js';
import { adapt, frameLogLikelihood, trainBackground } from './gaussian-mixture.js';
import { addFrames, emptyStats, gaussianModel, logLikelihood } from './gaussian-stats.js';

const N = 600;

/**
 * Two two-mode "voices" (vowels and consonants, say): X at ±5 on the first
 * axis, Y the same modes moved by 1.5 on the third.
 */
function voices(): { frames: Float32Array; x: number[]; y: number[] } {
  const parts = [gaussianFrames([-5, 0, 0], N / 2, 1), gaussianFrames([5, 0, 0], N / 2, 2), gaussianFrames([-5, 0, 1.5], N / 2, 3), gaussianFrames([5, 0, 1.5], N / 2, 4)];
  const frames = new Float32Array(2 * N * 3);
  parts.forEach((p, i) => frames.set(p, (i * N * 3) / 2));
  return { frames, x: Array.from({ length: N }, (_, i) => i), y: Array.from({ length: N }, (_, i) => N + i) };
}

const mean = (values: number[]) => values.reduce((n, v) => n + v, 0) / values.length;

describe('gaussian mixtures', () => {
  const { frames, x, y } = voices();
  const background = trainBackground(frames, 3, [...x, ...y], { components: 4, iterations: 8, relevance: 16 });
  const scratch = new Float64Array(background.components);

  it('fit a voice with two modes better than one Gaussian does', () => {
    const stats = emptyStats(3);
    for (const f of x) addFrames(stats, frames, f, f + 1);
    const gaussian = gaussianModel(stats);
    const mixture = adapt(background, frames, x);
    const byMixture = mean(x.map((f) => frameLogLikelihood(mixture, frames, f, scratch)));
    const byGaussian = mean(x.map((f) => logLikelihood(gaussian, frames, f, f + 1, new Float64Array(3))));
    assert.ok(byMixture > byGaussian + 0.5, `mixture ${byMixture}, Gaussian ${byGaussian}`);
  });

  it('adapted to each voice, prefer the frames of that voice', () => {
    const models = [adapt(background, frames, x), adapt(background, frames, y)];
    const prefers = (set: number[], own: number) =>
      set.filter((f) => frameLogLikelihood(models[own]!, frames, f, scratch) > frameLogLikelihood(models[1 - own]!, frames, f, scratch)).length / set.length;
    assert.ok(prefers(x, 0) > 0.7, `X: ${prefers(x, 0)}`);
    assert.ok(prefers(y, 1) > 0.7, `Y: ${prefers(y, 1)}`);
  });

  it('adapts a component in proportion to the frames it sees', () => {
    assert.deepEqual(adapt(background, frames, []).means, background.means, 'no frames: the background');
    const few = adapt(background, frames, x.slice(0, 4));
    const many = adapt(background, frames, x);
    const moved = (m: Float64Array) => m.reduce((n, v, i) => n + Math.abs(v - background.means[i]!), 0);
    assert.ok(moved(few.means) < moved(many.means));
  });
});
