/**
 * Random feature frames for the clustering unit tests: rows drawn from a
 * Gaussian with the given means and unit variance, from a fixed-seed
 * generator (the same arguments give the same frames).
 */
import { addFrames, emptyStats, type GaussianStats } from './gaussian-stats.js';

/** `count` rows of `means.length` values around `means`. */
export function gaussianFrames(means: readonly number[], count: number, seed: number): Float32Array {
  let state = seed * 7919 + 17;
  const uniform = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const out = new Float32Array(count * means.length);
  for (let i = 0; i < out.length; i++) {
    // Box–Muller.
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    out[i] = means[i % means.length]! + normal;
  }
  return out;
}

/** Statistics of `count` frames around `means`. */
export function gaussianSegment(means: readonly number[], count: number, seed: number): GaussianStats {
  const stats = emptyStats(means.length);
  addFrames(stats, gaussianFrames(means, count, seed), 0, count);
  return stats;
}
