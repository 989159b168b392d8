/**
 * Frame-level re-segmentation: given one Gaussian per speaker, the most
 * likely speaker of every speech frame, by Viterbi decoding with a cost per
 * speaker change. Clustering decides on segments of a few seconds;
 * this moves each turn change to where the voices actually switch, and
 * splits segments that held two voices.
 */
import { type GaussianModel, addFrames, emptyStats, gaussianModel, logLikelihood, mergeStats, type GaussianStats } from './gaussian-stats.js';
import type { Stretch } from './speech-frames.js';

export interface ResegmentationOptions {
  /** Log-likelihood a change of speaker costs inside a stretch (natural log units). */
  changePenalty: number;
  /** The cost between stretches (a pause separates them: changes there are common). */
  pausePenalty: number;
}

/**
 * The best speaker index per frame of `frames` (row-major, `dim` columns),
 * for the frames covered by `stretches`; frames outside keep −1.
 *
 * @example viterbiLabels(models, frames, store.stretches, { changePenalty: 40, pausePenalty: 5 })
 */
export function viterbiLabels(
  models: readonly GaussianModel[],
  frames: Float32Array,
  frameCount: number,
  stretches: readonly Stretch[],
  options: ResegmentationOptions,
): Int32Array {
  const scratch = new Float64Array(models[0]?.dim ?? 0);
  return viterbiDecode(models.length, (m, f) => logLikelihood(models[m]!, frames, f, f + 1, scratch), frameCount, stretches, options);
}

/**
 * {@link viterbiLabels} for any frame model: `score(m, f)` is the
 * log-likelihood of frame `f` under speaker `m` of `k`.
 */
export function viterbiDecode(
  k: number,
  score: (m: number, f: number) => number,
  frameCount: number,
  stretches: readonly Stretch[],
  options: ResegmentationOptions,
): Int32Array {
  const labels = new Int32Array(frameCount).fill(-1);
  if (k === 0) return labels;
  const frameScores = new Float64Array(k);
  const covered = stretches.reduce((n, s) => n + s.to - s.from, 0);
  // Back-pointers of every covered frame, in stretch order.
  const back = new Int8Array(covered * k);
  const order = new Int32Array(covered);
  let best = new Float64Array(k);
  let next = new Float64Array(k);
  let step = 0;
  for (const [s, stretch] of stretches.entries()) {
    for (let f = stretch.from; f < stretch.to; f++, step++) {
      order[step] = f;
      for (let m = 0; m < k; m++) frameScores[m] = score(m, f);
      if (step === 0) {
        best.set(frameScores);
        continue;
      }
      const penalty = f === stretch.from && s > 0 ? options.pausePenalty : options.changePenalty;
      let bestPrev = 0;
      for (let m = 1; m < k; m++) if (best[m]! > best[bestPrev]!) bestPrev = m;
      for (let m = 0; m < k; m++) {
        const stay = best[m]!;
        const change = best[bestPrev]! - penalty;
        const from = stay >= change ? m : bestPrev;
        back[step * k + m] = from;
        next[m] = Math.max(stay, change) + frameScores[m]!;
      }
      [best, next] = [next, best];
    }
  }
  if (covered === 0) return labels;
  let state = 0;
  for (let m = 1; m < k; m++) if (best[m]! > best[state]!) state = m;
  for (let t = covered - 1; t >= 0; t--) {
    labels[order[t]!] = state;
    if (t > 0) state = back[t * k + state]!;
  }
  return labels;
}

/** Statistics of each label's frames; labels without frames get none. */
export function statsByLabel(labels: Int32Array, frames: Float32Array, dim: number, k: number): (GaussianStats | null)[] {
  const stats = Array.from({ length: k }, () => emptyStats(dim));
  let runStart = 0;
  for (let f = 1; f <= labels.length; f++) {
    if (f < labels.length && labels[f] === labels[runStart]) continue;
    const label = labels[runStart]!;
    if (label >= 0) addFrames(stats[label]!, frames, runStart, f);
    runStart = f;
  }
  return stats.map((s) => (s.count > 0 ? s : null));
}

/** Models for the given statistics, skipping those with too few frames to estimate a covariance. */
export function modelsOf(stats: readonly (GaussianStats | null)[], minFrames: number): { models: GaussianModel[]; index: number[] } {
  const models: GaussianModel[] = [];
  const index: number[] = [];
  stats.forEach((s, i) => {
    if (s && s.count >= minFrames) {
      models.push(gaussianModel(s));
      index.push(i);
    }
  });
  return { models, index };
}

/**
 * Frame labels 0 … k − 1 re-decided `passes` times by {@link viterbiLabels}
 * over one stretch, each time with one Gaussian per label from its frames
 * and `priors[label]` (statistics of what else is known of that voice).
 * Where a label has fewer than `minFrames` frames to learn from, the labels
 * so far stand: a voice that little is better left to the labels given.
 *
 * @example resegmentWithPriors(frames, 12, windowLabels, 2, speakerStats, { changePenalty: 40, passes: 2, minFrames: 24 })
 */
export function resegmentWithPriors(
  frames: Float32Array,
  dim: number,
  labels: Int32Array,
  k: number,
  priors: readonly (GaussianStats | null)[],
  options: { changePenalty: number; passes: number; minFrames: number },
): Int32Array {
  const stretch = [{ from: 0, to: labels.length }];
  // One stretch: no pause between frames, so no pause penalty applies.
  const viterbi = { changePenalty: options.changePenalty, pausePenalty: options.changePenalty };
  for (let pass = 0; pass < options.passes; pass++) {
    const stats = statsByLabel(labels, frames, dim, k).map((s, label) => {
      const prior = priors[label];
      return s && prior ? mergeStats(s, prior) : (s ?? prior ?? null);
    });
    if (stats.some((s) => !s || s.count < options.minFrames)) break;
    labels = viterbiLabels(stats.map((s) => gaussianModel(s!)), frames, labels.length, stretch, viterbi);
  }
  return labels;
}
