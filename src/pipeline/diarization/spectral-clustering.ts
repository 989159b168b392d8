/**
 * Spectral clustering of speaker embeddings with the number of speakers
 * found by the normalised maximum eigengap (Park et al., "Auto-tuning
 * spectral clustering for speaker diarization using normalized maximum
 * eigengap", 2019): no threshold on cosines to tune, which is what
 * agglomerative clustering of x-vectors lacks.
 *
 * 1. The embeddings are centred on the recording's mean and length
 *    normalised: what all its windows share (the room, the channel) goes.
 * 2. For each of a few pruning levels p, every window keeps an edge to its
 *    p most similar windows; the graph's Laplacian's largest eigengap among
 *    the first `maxSpeakers` says how many groups there are. Of the levels
 *    whose gap is largest for their pruning, within `countTolerance`, the
 *    one with the most groups wins: denser graphs join similar voices, and
 *    are often best by only a little. One group only when no level sees
 *    more: else the best level that does, and step 4 joins what is one voice.
 *    When no level sees more, the best level's graph is still cut in two, and
 *    the two halves are two voices if their mean embeddings are far apart:
 *    turns of 1–3 s chain voices together through the windows that straddle
 *    them, so that no eigengap stands out, yet the halves stay apart.
 * 3. k-means on the first k eigenvectors labels the windows.
 * 4. Groups of fewer than `minClusterSize` windows (a cough, a laugh, a
 *    window across a turn change) join their nearest group, and groups
 *    whose mean embeddings agree above `mergeCosine` (before centring)
 *    merge: one voice that the graph split in two.
 * 5. Groups whose halves disagree split (`splitCosine`), and a group heard
 *    in only one or two stretches joins a group it is like at a lower bar
 *    (`fewStretchesMergeCosine`): one voice's turns split off.
 */
import { symmetricEigen, symmetricEigenvalues } from '../../lib/symmetric-eigen.js';

export interface SpectralOptions {
  maxSpeakers: number;
  /** Pruning levels tried, as fractions of the window count (kept neighbours per window). */
  pruneFractions: readonly number[];
  /**
   * Neighbours kept per window at the least: with few windows, a fraction of
   * them is one or two, and a graph that sparse falls apart into many
   * pieces, each an eigengap (13 s of two voices was found as 7).
   */
  minNeighbours: number;
  minClusterSize: number;
  mergeCosine: number;
  /**
   * A group whose two halves (2-means) are less alike than this, each of at
   * least `minClusterSize` windows, is two voices; null: no splits. Halves of
   * one voice reach down to 0.3 (docs/diarization.md), so higher splits voices.
   */
  splitCosine: number | null;
  /** Fewer windows than this are too few for the eigengaps to say how many voices there are: the caller clusters otherwise. */
  minWindows: number;
  /** Above this many windows, an even subsample is clustered and the rest join the nearest group. */
  maxWindows: number;
  /**
   * Levels whose ratio (pruning over normalised eigengap) is within this
   * factor of the best are as good: the one of them with the most groups
   * wins. 1: the best level alone.
   */
  countTolerance: number;
  /**
   * One voice only when no level sees more than one; else the best level
   * that does, and the merge rule joins what is one voice. false: one voice
   * whenever the chosen level says so.
   */
  oneVoiceWhenAllLevelsAgree: boolean;
  /**
   * When every level sees one voice: the best level's graph cut in two is two
   * voices if the halves' mean embeddings (before centring) agree less than
   * this. Halves of one voice agreed at 0.675 and above on 80 monologues,
   * halves of two voices that no level told apart mostly below 0.65
   * (docs/diarization.md). null: one voice.
   */
  twoVoicesBelowCosine: number | null;
  /**
   * A turn-taking prior, last: a group heard in at most two stretches of
   * windows in time joins the group it is most like if their mean embeddings
   * agree at least this much (a lower bar than `mergeCosine`). Of the groups
   * that one voice split off, most are one or two of its turns; a voice that
   * really is someone else comes back, or is less alike. Needs the
   * embeddings in time order. null: no such merge.
   */
  fewStretchesMergeCosine: number | null;
}

/** For a whole recording (docs/diarization.md: tuned on the tuning part and a scratch check). */
export const DEFAULT_SPECTRAL_OPTIONS: SpectralOptions = {
  maxSpeakers: 8,
  pruneFractions: [0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.13, 0.16, 0.2, 0.25],
  minNeighbours: 10,
  minClusterSize: 4,
  mergeCosine: 0.7,
  splitCosine: 0.3,
  maxWindows: 400,
  minWindows: 8,
  countTolerance: 1.2,
  oneVoiceWhenAllLevelsAgree: true,
  twoVoicesBelowCosine: 0.65,
  fewStretchesMergeCosine: 0.55,
};

/** Fewer windows than this are one speaker: too few to find groups in. */
const MIN_WINDOWS = 6;

/**
 * Each embedding's cluster (0 … k − 1, in order of first appearance).
 *
 * @example clusterEmbeddings(windowXvectors, DEFAULT_SPECTRAL_OPTIONS) // [0, 0, 1, 1, 0, …]
 */
export function clusterEmbeddings(embeddings: readonly Float32Array[], options: SpectralOptions = DEFAULT_SPECTRAL_OPTIONS): number[] {
  const n = embeddings.length;
  if (n < MIN_WINDOWS) return new Array<number>(n).fill(0);
  const step = Math.ceil(n / options.maxWindows);
  const sample = embeddings.filter((_, i) => i % step === 0);
  const found = spectralLabels(centred(sample), options);
  let labels = absorbSmall(sample, found.labels, options.minClusterSize);
  if (found.everyLevelSawOne) {
    // The split rule's 2-means cut, where it applies, is the better one (it scored so).
    const one = labels.map(() => 0);
    const splitAnyway = options.splitCosine !== null && new Set(splitDisagreeing(sample, one, options)).size > 1;
    if (splitAnyway || !halvesApart(sample, labels, options.twoVoicesBelowCosine!)) labels = one;
  }
  labels = mergeAgreeing(sample, labels, options.mergeCosine);
  if (options.splitCosine !== null) labels = splitDisagreeing(sample, labels, options);
  if (options.fewStretchesMergeCosine !== null) labels = mergeAgreeing(sample, labels, options.fewStretchesMergeCosine, heardInFewStretches);
  if (step > 1) {
    const centroids = centroidsOf(sample, labels);
    labels = embeddings.map((e) => nearest(centroids, e));
  }
  return inAppearanceOrder(labels);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function unit(v: Float64Array): Float64Array {
  const norm = Math.sqrt(dot(v, v)) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

function centred(embeddings: readonly Float32Array[]): Float64Array[] {
  const dim = embeddings[0]!.length;
  const mean = new Float64Array(dim);
  for (const e of embeddings) for (let i = 0; i < dim; i++) mean[i]! += e[i]! / embeddings.length;
  return embeddings.map((e) => unit(Float64Array.from(e, (x, i) => x - mean[i]!)));
}

/** Labels by the chosen level; `everyLevelSawOne`: they are that level's graph cut in two, to be checked by {@link halvesApart}. */
function spectralLabels(points: readonly Float64Array[], options: SpectralOptions): { labels: number[]; everyLevelSawOne: boolean } {
  const n = points.length;
  const similarity = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) similarity[i * n + j] = similarity[j * n + i] = dot(points[i]!, points[j]!);
  // Each row's columns, most similar first.
  const ranked = Array.from({ length: n }, (_, i) => {
    const row = similarity.subarray(i * n, (i + 1) * n);
    return Int32Array.from(row.keys()).sort((a, b) => row[b]! - row[a]!);
  });
  const levels = [...new Set(options.pruneFractions.map((f) => Math.max(options.minNeighbours, Math.round(f * n))))].filter((p) => p < n);
  const maxK = Math.min(options.maxSpeakers, n - 1);
  const laplacianOf = (p: number) => {
    const laplacian = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < p; q++) {
        const j = ranked[i]![q]!;
        if (j === i) continue;
        // (B + Bᵀ) / 2 of the kept edges, as a Laplacian D − A.
        laplacian[i * n + j]! -= 0.5;
        laplacian[j * n + i]! -= 0.5;
        laplacian[i * n + i]! += 0.5;
        laplacian[j * n + j]! += 0.5;
      }
    }
    return laplacian;
  };
  // The search needs eigenvalues only; the winner's vectors are computed once.
  const found: { ratio: number; k: number; p: number }[] = [];
  for (const p of levels) {
    const values = symmetricEigenvalues(laplacianOf(p), n);
    let k = 1;
    let gap = -Infinity;
    for (let i = 0; i < maxK; i++) {
      const g = values[i + 1]! - values[i]!;
      if (g > gap) {
        gap = g;
        k = i + 1;
      }
    }
    found.push({ ratio: p / n / (gap / (values[n - 1]! + 1e-10)), k, p });
  }
  const bestRatio = Math.min(...found.map((f) => f.ratio));
  let best: { ratio: number; k: number; p: number } | null = null;
  for (const f of found) {
    if (f.ratio > bestRatio * options.countTolerance) continue;
    if (!best || f.k > best.k || (f.k === best.k && f.ratio < best.ratio)) best = f;
  }
  // One voice is left for the merge rule to decide: dense levels see one
  // where several voices chain through windows that straddle quick turns,
  // and win by a little, while a sparser level still sees them apart (five
  // voices found as one in 1–3 s turns). The merge rule joins what is one.
  let everyLevelSawOne = false;
  if (best?.k === 1 && options.oneVoiceWhenAllLevelsAgree) {
    const several = found.filter((f) => f.k > 1);
    if (several.length > 0) best = several.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    else if (options.twoVoicesBelowCosine !== null) {
      best = { ...found.reduce((a, b) => (b.ratio < a.ratio ? b : a)), k: 2 };
      everyLevelSawOne = true;
    }
  }
  if (!best || best.k === 1) return { labels: new Array<number>(n).fill(0), everyLevelSawOne };
  const { k } = best;
  const { vectors } = symmetricEigen(laplacianOf(best.p), n);
  const rows = Array.from({ length: n }, (_, i) => vectors.slice(i * n, i * n + k));
  return { labels: kMeans(rows, k), everyLevelSawOne };
}

/** Whether the two groups of `labels` (after small ones joined others) are two voices. */
function halvesApart(embeddings: readonly Float32Array[], labels: readonly number[], belowCosine: number): boolean {
  const present = [...new Set(labels)];
  if (present.length < 2) return false;
  const centroids = centroidsOf(embeddings, labels);
  return dot(centroids[present[0]!]!, centroids[present[1]!]!) < belowCosine;
}

/** Lloyd's k-means from farthest-point starts: deterministic. */
function kMeans(points: readonly Float64Array[], k: number): number[] {
  const distance = (a: Float64Array, b: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
    return sum;
  };
  const centres = [Float64Array.from(points[0]!)];
  while (centres.length < k) {
    let far = 0;
    let farthest = -1;
    points.forEach((p, i) => {
      const d = Math.min(...centres.map((c) => distance(c, p)));
      if (d > farthest) {
        farthest = d;
        far = i;
      }
    });
    centres.push(Float64Array.from(points[far]!));
  }
  let labels = new Array<number>(points.length).fill(-1);
  for (let iteration = 0; iteration < 100; iteration++) {
    const next = points.map((p) => {
      let label = 0;
      for (let c = 1; c < k; c++) if (distance(centres[c]!, p) < distance(centres[label]!, p)) label = c;
      return label;
    });
    if (next.every((l, i) => l === labels[i])) break;
    labels = next;
    for (let c = 0; c < k; c++) {
      const members = points.filter((_, i) => labels[i] === c);
      if (members.length === 0) continue;
      centres[c]!.fill(0);
      for (const m of members) for (let d = 0; d < m.length; d++) centres[c]![d]! += m[d]! / members.length;
    }
  }
  return labels;
}

/** Unit mean embedding of each label 0 … max (an empty label gets zeros). */
function centroidsOf(embeddings: readonly Float32Array[], labels: readonly number[]): Float64Array[] {
  const count = Math.max(...labels) + 1;
  const centroids = Array.from({ length: count }, () => new Float64Array(embeddings[0]!.length));
  embeddings.forEach((e, i) => {
    const c = centroids[labels[i]!]!;
    for (let d = 0; d < e.length; d++) c[d]! += e[d]!;
  });
  return centroids.map(unit);
}

function nearest(centroids: readonly Float64Array[], embedding: Float32Array, allowed?: readonly number[]): number {
  let best = -1;
  let bestScore = -Infinity;
  centroids.forEach((c, i) => {
    if (allowed && !allowed.includes(i)) return;
    const score = dot(c, embedding);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

function absorbSmall(embeddings: readonly Float32Array[], labels: number[], minSize: number): number[] {
  const sizes = new Map<number, number>();
  for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const large = [...sizes.keys()].filter((l) => sizes.get(l)! >= minSize);
  if (large.length === 0 || large.length === sizes.size) return labels;
  const centroids = centroidsOf(embeddings, labels);
  return labels.map((l, i) => (sizes.get(l)! >= minSize ? l : nearest(centroids, embeddings[i]!, large)));
}

/**
 * Merges the most alike pair of groups while their mean embeddings agree at
 * least `threshold`, among pairs with a group `mayJoin` accepts (all by default).
 */
function mergeAgreeing(
  embeddings: readonly Float32Array[],
  labels: number[],
  threshold: number,
  mayJoin: (label: number, labels: readonly number[]) => boolean = () => true,
): number[] {
  for (;;) {
    const present = [...new Set(labels)];
    if (present.length < 2) return labels;
    const centroids = centroidsOf(embeddings, labels);
    const joinable = new Set(present.filter((l) => mayJoin(l, labels)));
    let pair: [number, number] | null = null;
    let bestScore = threshold;
    for (let a = 0; a < present.length; a++) {
      for (let b = a + 1; b < present.length; b++) {
        if (!joinable.has(present[a]!) && !joinable.has(present[b]!)) continue;
        const score = dot(centroids[present[a]!]!, centroids[present[b]!]!);
        if (score >= bestScore) {
          bestScore = score;
          pair = [present[a]!, present[b]!];
        }
      }
    }
    if (!pair) return labels;
    const [keep, drop] = pair;
    labels = labels.map((l) => (l === drop ? keep : l));
  }
}

/** A group's stretches: runs of its windows in time, across at most this many windows of others. */
const STRETCH_GAP_WINDOWS = 2;
const FEW_STRETCHES = 2;

function stretchCount(labels: readonly number[], label: number): number {
  let count = 0;
  let last = -Infinity;
  labels.forEach((l, i) => {
    if (l !== label) return;
    if (i - last > STRETCH_GAP_WINDOWS + 1) count++;
    last = i;
  });
  return count;
}

function heardInFewStretches(label: number, labels: readonly number[]): boolean {
  return stretchCount(labels, label) <= FEW_STRETCHES;
}

function inAppearanceOrder(labels: readonly number[]): number[] {
  const order = new Map<number, number>();
  return labels.map((l) => {
    if (!order.has(l)) order.set(l, order.size);
    return order.get(l)!;
  });
}

function splitDisagreeing(embeddings: readonly Float32Array[], labels: number[], options: SpectralOptions): number[] {
  const out = labels.slice();
  let next = Math.max(...labels) + 1;
  for (const label of new Set(labels)) {
    const members = labels.flatMap((l, i) => (l === label ? [i] : []));
    if (members.length < 2 * options.minClusterSize) continue;
    const points = members.map((i) => Float64Array.from(embeddings[i]!));
    const halves = kMeans(points, 2);
    const sizes = [0, 1].map((h) => halves.filter((x) => x === h).length);
    if (Math.min(...sizes) < options.minClusterSize) continue;
    const centroids = centroidsOf(
      members.map((i) => embeddings[i]!),
      halves,
    );
    if (dot(centroids[0]!, centroids[1]!) >= options.splitCosine!) continue;
    halves.forEach((h, k) => {
      if (h === 1) out[members[k]!] = next;
    });
    next++;
  }
  return out;
}
