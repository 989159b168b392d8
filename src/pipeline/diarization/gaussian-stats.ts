/**
 * A voice as a full-covariance Gaussian over its MFCC frames, kept as
 * sufficient statistics (frame count, sum, sum of outer products) so that
 * two segments merge by adding, and the Bayesian information criterion of
 * "one voice or two" costs one small Cholesky factorisation.
 */

/** Sufficient statistics of the frames of one segment or cluster. */
export interface GaussianStats {
  dim: number;
  count: number;
  sum: Float64Array;
  /** Σ x xᵀ, row-major dim × dim. */
  scatter: Float64Array;
}

/** Statistics of no frames. */
export function emptyStats(dim: number): GaussianStats {
  return { dim, count: 0, sum: new Float64Array(dim), scatter: new Float64Array(dim * dim) };
}

/** Adds rows `from` … `to - 1` of `frames` (row-major, `dim` per row) to `stats`. */
export function addFrames(stats: GaussianStats, frames: Float32Array, from: number, to: number): void {
  const { dim, sum, scatter } = stats;
  for (let f = from; f < to; f++) {
    const row = f * dim;
    for (let i = 0; i < dim; i++) {
      const xi = frames[row + i]!;
      sum[i] = sum[i]! + xi;
      // Upper triangle only; mirrored when the covariance is formed.
      for (let j = i; j < dim; j++) scatter[i * dim + j] = scatter[i * dim + j]! + xi * frames[row + j]!;
    }
  }
  stats.count += to - from;
}

/** Statistics of the union of `a` and `b`. */
export function mergeStats(a: GaussianStats, b: GaussianStats): GaussianStats {
  const merged = emptyStats(a.dim);
  addStats(merged, a);
  addStats(merged, b);
  return merged;
}

/** Adds `b` into `a`. */
export function addStats(a: GaussianStats, b: GaussianStats): void {
  for (let i = 0; i < a.sum.length; i++) a.sum[i] = a.sum[i]! + b.sum[i]!;
  for (let i = 0; i < a.scatter.length; i++) a.scatter[i] = a.scatter[i]! + b.scatter[i]!;
  a.count += b.count;
}

// Variance added to the diagonal: a segment of a few hundred frames can have
// a near-singular covariance (e.g. a stretch of one sustained vowel).
const DIAGONAL_FLOOR = 1e-3;

/** Maximum-likelihood covariance (upper triangle mirrored), with a small diagonal floor. */
export function covariance(stats: GaussianStats): Float64Array {
  const { dim, count, sum, scatter } = stats;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const c = scatter[i * dim + j]! / count - (sum[i]! / count) * (sum[j]! / count);
      cov[i * dim + j] = c;
      cov[j * dim + i] = c;
    }
    cov[i * dim + i] = cov[i * dim + i]! + DIAGONAL_FLOOR;
  }
  return cov;
}

/**
 * Lower-triangular Cholesky factor of a symmetric positive-definite matrix,
 * in place of a copy.
 *
 * @throws {RangeError} the matrix is not positive definite.
 */
export function cholesky(matrix: Float64Array, dim: number): Float64Array {
  const l = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let s = matrix[i * dim + j]!;
      for (let k = 0; k < j; k++) s -= l[i * dim + k]! * l[j * dim + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('matrix is not positive definite');
        l[i * dim + i] = Math.sqrt(s);
      } else {
        l[i * dim + j] = s / l[j * dim + j]!;
      }
    }
  }
  return l;
}

/** log det of the covariance of `stats`. */
export function logDetCovariance(stats: GaussianStats): number {
  const l = cholesky(covariance(stats), stats.dim);
  let logDet = 0;
  for (let i = 0; i < stats.dim; i++) logDet += 2 * Math.log(l[i * stats.dim + i]!);
  return logDet;
}

/**
 * The Bayesian information criterion's verdict on "a and b are one voice":
 * the log-likelihood gained by modelling them with two Gaussians instead of
 * one, minus `penalty` times the BIC cost of the extra parameters. Negative
 * means one Gaussian explains both well enough: the same speaker. `penalty`
 * (λ) is 1 in the textbook criterion; larger merges more readily.
 *
 * `logDetA`/`logDetB` may be passed when known (they do not change while a
 * segment waits to be merged).
 *
 * @example deltaBic(statsOfAlice, statsOfBob, 1) > 0 // two voices
 */
export function deltaBic(a: GaussianStats, b: GaussianStats, penalty: number, logDetA = logDetCovariance(a), logDetB = logDetCovariance(b)): number {
  const n = a.count + b.count;
  const merged = logDetCovariance(mergeStats(a, b));
  const d = a.dim;
  const parameters = d + (d * (d + 1)) / 2;
  return 0.5 * (n * merged - a.count * logDetA - b.count * logDetB) - penalty * 0.5 * parameters * Math.log(n);
}

/** A Gaussian ready to score frames: mean, Cholesky factor of the covariance, log normaliser. */
export interface GaussianModel {
  dim: number;
  mean: Float64Array;
  cholesky: Float64Array;
  /** −½ (d log 2π + log det Σ) */
  logNorm: number;
}

/** The maximum-likelihood Gaussian of `stats`. */
export function gaussianModel(stats: GaussianStats): GaussianModel {
  const { dim, count, sum } = stats;
  const l = cholesky(covariance(stats), dim);
  let logDet = 0;
  for (let i = 0; i < dim; i++) logDet += 2 * Math.log(l[i * dim + i]!);
  return { dim, mean: sum.map((s) => s / count), cholesky: l, logNorm: -0.5 * (dim * Math.log(2 * Math.PI) + logDet) };
}

/**
 * Total log-likelihood of frames `from` … `to - 1` under `model`.
 * `scratch` must hold `dim` numbers (reused to avoid allocation per frame).
 */
export function logLikelihood(model: GaussianModel, frames: Float32Array, from: number, to: number, scratch: Float64Array): number {
  const { dim, mean, cholesky: l, logNorm } = model;
  let total = 0;
  for (let f = from; f < to; f++) {
    // Solve L y = x − μ; the Mahalanobis distance is |y|².
    let distance = 0;
    for (let i = 0; i < dim; i++) {
      let s = frames[f * dim + i]! - mean[i]!;
      for (let k = 0; k < i; k++) s -= l[i * dim + k]! * scratch[k]!;
      const y = s / l[i * dim + i]!;
      scratch[i] = y;
      distance += y * y;
    }
    total += logNorm - 0.5 * distance;
  }
  return total;
}
