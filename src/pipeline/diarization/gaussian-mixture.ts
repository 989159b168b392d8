/**
 * A voice as a mixture of diagonal Gaussians, adapted from a background
 * model of the whole recording (the classic GMM-UBM of speaker
 * recognition): one Gaussian describes a voice's average spectrum, a
 * mixture describes its vowels, fricatives and nasals apart, so two voices
 * that share an average still differ component by component.
 *
 * - {@link trainBackground}: EM on all speech frames of the recording;
 * - {@link adapt}: maximum a posteriori adaptation of the means to one
 *   speaker's frames (few frames move a component little), so that every
 *   voice's mixture has the same components, shifted.
 */

export interface GaussianMixture {
  dim: number;
  components: number;
  /** Per component, row-major: means and inverse variances. */
  means: Float64Array;
  inverseVariances: Float64Array;
  /** Per component: log weight − ½ (d log 2π + Σ log variance). */
  logConstants: Float64Array;
}

export interface MixtureOptions {
  components: number;
  iterations: number;
  /** MAP relevance factor: a component's mean moves halfway with this many frames. */
  relevance: number;
}

export const DEFAULT_MIXTURE_OPTIONS: MixtureOptions = { components: 8, iterations: 6, relevance: 16 };

const VARIANCE_FLOOR = 1e-2;

/** Indexes of frames, in any order. */
export type FrameSet = ArrayLike<number>;

function logConstants(weights: Float64Array, inverseVariances: Float64Array, dim: number): Float64Array {
  const out = new Float64Array(weights.length);
  for (let c = 0; c < weights.length; c++) {
    let logDet = 0;
    for (let i = 0; i < dim; i++) logDet -= Math.log(inverseVariances[c * dim + i]!);
    out[c] = Math.log(Math.max(weights[c]!, 1e-10)) - 0.5 * (dim * Math.log(2 * Math.PI) + logDet);
  }
  return out;
}

/**
 * Component log-densities of frame `f` into `out`; returns their log-sum
 * (the frame's log-likelihood).
 */
function componentScores(model: GaussianMixture, frames: Float32Array, f: number, out: Float64Array): number {
  const { dim, components, means, inverseVariances, logConstants: constants } = model;
  let max = -Infinity;
  for (let c = 0; c < components; c++) {
    let distance = 0;
    for (let i = 0; i < dim; i++) {
      const d = frames[f * dim + i]! - means[c * dim + i]!;
      distance += d * d * inverseVariances[c * dim + i]!;
    }
    const s = constants[c]! - 0.5 * distance;
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < components; c++) sum += Math.exp(out[c]! - max);
  return max + Math.log(sum);
}

/** Log-likelihood of frame `f` under `model`. `scratch` holds `model.components` numbers. */
export function frameLogLikelihood(model: GaussianMixture, frames: Float32Array, f: number, scratch: Float64Array): number {
  return componentScores(model, frames, f, scratch);
}

/**
 * A mixture of `options.components` diagonal Gaussians fitted by EM to
 * `set` (rows of `frames`, `dim` columns), started from frames spread evenly
 * over the set: deterministic.
 */
export function trainBackground(frames: Float32Array, dim: number, set: FrameSet, options: MixtureOptions = DEFAULT_MIXTURE_OPTIONS): GaussianMixture {
  const n = set.length;
  const components = Math.max(1, Math.min(options.components, Math.floor(n / (4 * dim))));
  const mean = new Float64Array(dim);
  const variance = new Float64Array(dim);
  for (let k = 0; k < n; k++) for (let i = 0; i < dim; i++) mean[i] = mean[i]! + frames[set[k]! * dim + i]! / n;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < dim; i++) {
      const d = frames[set[k]! * dim + i]! - mean[i]!;
      variance[i] = variance[i]! + (d * d) / n;
    }
  }
  const model: GaussianMixture = {
    dim,
    components,
    means: new Float64Array(components * dim),
    inverseVariances: new Float64Array(components * dim),
    logConstants: new Float64Array(components),
  };
  const weights = new Float64Array(components).fill(1 / components);
  for (let c = 0; c < components; c++) {
    const f = set[Math.floor(((c + 0.5) * n) / components)]!;
    for (let i = 0; i < dim; i++) {
      model.means[c * dim + i] = frames[f * dim + i]!;
      model.inverseVariances[c * dim + i] = 1 / Math.max(variance[i]!, VARIANCE_FLOOR);
    }
  }
  model.logConstants = logConstants(weights, model.inverseVariances, dim);
  const scratch = new Float64Array(components);
  const occupancy = new Float64Array(components);
  const first = new Float64Array(components * dim);
  const second = new Float64Array(components * dim);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    occupancy.fill(0);
    first.fill(0);
    second.fill(0);
    for (let k = 0; k < n; k++) {
      const f = set[k]!;
      const total = componentScores(model, frames, f, scratch);
      for (let c = 0; c < components; c++) {
        const p = Math.exp(scratch[c]! - total);
        if (p < 1e-6) continue;
        occupancy[c] = occupancy[c]! + p;
        for (let i = 0; i < dim; i++) {
          const x = frames[f * dim + i]!;
          first[c * dim + i] = first[c * dim + i]! + p * x;
          second[c * dim + i] = second[c * dim + i]! + p * x * x;
        }
      }
    }
    for (let c = 0; c < components; c++) {
      // A component nobody uses keeps its place (its weight goes to almost nothing).
      if (occupancy[c]! < dim) continue;
      weights[c] = occupancy[c]! / n;
      for (let i = 0; i < dim; i++) {
        const m = first[c * dim + i]! / occupancy[c]!;
        model.means[c * dim + i] = m;
        model.inverseVariances[c * dim + i] = 1 / Math.max(second[c * dim + i]! / occupancy[c]! - m * m, VARIANCE_FLOOR);
      }
    }
    model.logConstants = logConstants(weights, model.inverseVariances, dim);
  }
  return model;
}

/** `background` with its means moved towards the frames of `set` (MAP, relevance factor `relevance`). */
export function adapt(background: GaussianMixture, frames: Float32Array, set: FrameSet, relevance = DEFAULT_MIXTURE_OPTIONS.relevance): GaussianMixture {
  const { dim, components } = background;
  const scratch = new Float64Array(components);
  const occupancy = new Float64Array(components);
  const first = new Float64Array(components * dim);
  for (let k = 0; k < set.length; k++) {
    const f = set[k]!;
    const total = componentScores(background, frames, f, scratch);
    for (let c = 0; c < components; c++) {
      const p = Math.exp(scratch[c]! - total);
      if (p < 1e-6) continue;
      occupancy[c] = occupancy[c]! + p;
      for (let i = 0; i < dim; i++) first[c * dim + i] = first[c * dim + i]! + p * frames[f * dim + i]!;
    }
  }
  const means = Float64Array.from(background.means);
  for (let c = 0; c < components; c++) {
    if (occupancy[c] === 0) continue;
    const alpha = occupancy[c]! / (occupancy[c]! + relevance);
    for (let i = 0; i < dim; i++) {
      means[c * dim + i] = alpha * (first[c * dim + i]! / occupancy[c]!) + (1 - alpha) * background.means[c * dim + i]!;
    }
  }
  return { ...background, means };
}
