/**
 * Speaker change detection inside a stretch of speech, with the BIC over a
 * growing window (Chen & Gopalakrishnan, 1998): a window of frames is split
 * where two Gaussians explain it best; if that beats one Gaussian by the
 * BIC, a new speaker starts there. In conversation people answer each
 * other without a pause, so an utterance of the voice activity detector
 * often holds two or three turns; clustering needs segments of one voice.
 */
import { type GaussianStats, deltaBic, emptyStats } from './gaussian-stats.js';

export interface ChangeDetectionOptions {
  /** BIC penalty weight λ for a change. */
  penalty: number;
  /** Fewest frames on either side of a change. */
  minSideFrames: number;
  /** Window to start with, and the most it grows to before it slides. */
  minWindowFrames: number;
  maxWindowFrames: number;
  /** Candidate change points are this many frames apart. */
  stepFrames: number;
}

export const DEFAULT_CHANGE_DETECTION_OPTIONS: ChangeDetectionOptions = {
  penalty: 1.5,
  minSideFrames: 60,
  minWindowFrames: 200,
  maxWindowFrames: 500,
  stepFrames: 5,
};

/** How much a window without a change grows before it is tested again. */
const GROW_FRAMES = 50;

/**
 * Running sums of frames `from` … `to - 1`, so that the statistics of any
 * sub-range come from two look-ups: `count`, then `dim` sums, then the
 * `dim × dim` upper-triangle outer products, per prefix.
 */
class PrefixStats {
  private readonly width: number;
  private readonly sums: Float64Array;

  constructor(
    frames: Float32Array,
    private readonly dim: number,
    private readonly from: number,
    to: number,
  ) {
    this.width = dim + dim * dim;
    this.sums = new Float64Array((to - from + 1) * this.width);
    for (let f = from; f < to; f++) {
      const prev = (f - from) * this.width;
      const next = prev + this.width;
      for (let i = 0; i < this.width; i++) this.sums[next + i] = this.sums[prev + i]!;
      for (let i = 0; i < dim; i++) {
        const xi = frames[f * dim + i]!;
        this.sums[next + i] = this.sums[next + i]! + xi;
        for (let j = i; j < dim; j++) this.sums[next + dim + i * dim + j] = this.sums[next + dim + i * dim + j]! + xi * frames[f * dim + j]!;
      }
    }
  }

  /** Statistics of frames `a` … `b - 1`. */
  range(a: number, b: number): GaussianStats {
    const stats = emptyStats(this.dim);
    const lo = (a - this.from) * this.width;
    const hi = (b - this.from) * this.width;
    for (let i = 0; i < this.dim; i++) stats.sum[i] = this.sums[hi + i]! - this.sums[lo + i]!;
    for (let i = 0; i < this.dim * this.dim; i++) stats.scatter[i] = this.sums[hi + this.dim + i]! - this.sums[lo + this.dim + i]!;
    stats.count = b - a;
    return stats;
  }
}

/**
 * Frame indexes in (`from`, `to`) where the speaker changes, in order.
 *
 * @example speakerChanges(frames, 12, 0, 900) // [410]: one voice until frame 410, another after
 */
export function speakerChanges(
  frames: Float32Array,
  dim: number,
  from: number,
  to: number,
  options: ChangeDetectionOptions = DEFAULT_CHANGE_DETECTION_OPTIONS,
): number[] {
  const { penalty, minSideFrames, minWindowFrames, maxWindowFrames, stepFrames } = options;
  if (to - from < 2 * minSideFrames) return [];
  const prefix = new PrefixStats(frames, dim, from, to);
  const changes: number[] = [];
  let start = from;
  let end = Math.min(to, start + minWindowFrames);
  while (end - start >= 2 * minSideFrames) {
    let best = -Infinity;
    let at = -1;
    for (let t = start + minSideFrames; t <= end - minSideFrames; t += stepFrames) {
      const score = deltaBic(prefix.range(start, t), prefix.range(t, end), penalty);
      if (score > best) [best, at] = [score, t];
    }
    if (best > 0) {
      changes.push(at);
      start = at;
      end = Math.min(to, start + minWindowFrames);
    } else if (end === to) {
      break;
    } else if (end - start < maxWindowFrames) {
      end = Math.min(to, end + GROW_FRAMES);
    } else {
      // No change in a full window: its first part is settled.
      start = end - maxWindowFrames / 2;
      end = Math.min(to, start + minWindowFrames);
    }
  }
  return changes;
}
