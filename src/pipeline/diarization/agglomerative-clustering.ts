/**
 * Agglomerative clustering of speech segments with the Bayesian information
 * criterion as distance and stopping rule: the two clusters that are most
 * plausibly one voice merge, until no pair is (every ΔBIC > 0). The number
 * of speakers is what is left, capped at `maxClusters`.
 *
 * With speaker embeddings (x-vectors) of the segments, the embeddings
 * overrule the BIC both ways: clusters whose embeddings agree
 * (`similarityMerge`) merge first whatever the BIC says, which keeps one
 * voice one speaker across levels and channels; established clusters whose
 * embeddings disagree (`establishedFloor`) never merge, which keeps two
 * similar voices apart where one Gaussian each cannot tell them apart.
 */
import { type GaussianStats, addStats, deltaBic, emptyStats, logDetCovariance } from './gaussian-stats.js';

export interface ClusteringOptions {
  /** BIC penalty weight λ (see {@link deltaBic}). */
  penalty: number;
  /** Merging goes on past the BIC's verdict until at most this many clusters remain. */
  maxClusters: number;
  /**
   * With speaker embeddings: two clusters of at least `establishedSize`
   * segments each merge only if their average cosine reaches this. One
   * segment's embedding is noisy, so the BIC decides for small clusters;
   * the average over several is reliable, and it tells similar voices
   * apart where the BIC does not.
   */
  establishedFloor?: number;
  establishedSize?: number;
  /** With speaker embeddings: clusters whose average cosine is above this merge, whatever the BIC says. */
  similarityMerge?: number;
}

/** A cluster's embeddings (unit length) as their sum and count: the average cosine of two is their sums' dot product over the counts' product. */
export interface EmbeddingSum {
  sum: Float64Array;
  size: number;
}

// The pair table grows with the square of the segment count: a long
// recording is clustered in blocks of consecutive segments first, then the
// blocks' clusters together.
const MAX_SEGMENTS_AT_ONCE = 300;

/**
 * Clusters `segments`; returns each segment's cluster index (0 … k − 1, in
 * order of first appearance).
 *
 * @example clusterSegments([alice1, bob1, alice2], { penalty: 1, maxClusters: 15 }) // [0, 1, 0]
 */
export function clusterSegments(segments: readonly GaussianStats[], options: ClusteringOptions, embeddings?: readonly EmbeddingSum[]): number[] {
  if (segments.length <= MAX_SEGMENTS_AT_ONCE) return cluster(segments, options, undefined, embeddings);
  // Within a block, stop at the BIC only: the cap applies to the whole recording.
  const blockOptions = { ...options, maxClusters: Infinity };
  const labels = new Array<number>(segments.length);
  const blockClusters: GaussianStats[] = [];
  const blockSums: EmbeddingSum[] = [];
  for (let start = 0; start < segments.length; start += MAX_SEGMENTS_AT_ONCE) {
    const block = segments.slice(start, start + MAX_SEGMENTS_AT_ONCE);
    const blockEmbeddings = embeddings?.slice(start, start + MAX_SEGMENTS_AT_ONCE);
    const local = cluster(block, blockOptions, undefined, blockEmbeddings);
    const base = blockClusters.length;
    const count = Math.max(...local) + 1;
    for (let c = 0; c < count; c++) {
      blockClusters.push(emptyStats(block[0]!.dim));
      if (embeddings) blockSums.push({ sum: new Float64Array(embeddings[0]!.sum.length), size: 0 });
    }
    local.forEach((c, i) => {
      addStats(blockClusters[base + c]!, block[i]!);
      if (blockEmbeddings) addSum(blockSums[base + c]!, blockEmbeddings[i]!);
      labels[start + i] = base + c;
    });
  }
  const global = clusterSegments(blockClusters, options, embeddings ? blockSums : undefined);
  return firstAppearanceOrder(labels.map((l) => global[l]!));
}

/**
 * Like {@link clusterSegments}, for at most a few hundred segments, some of
 * which may be anchored to a known speaker: clusters anchored to different
 * speakers never merge. Returns each segment's cluster index, and each
 * cluster's anchor (or -1).
 *
 * @example clusterAnchored([alice, bob, unknown], [0, 1, -1], options) // { labels: [0, 1, 1], anchors: [0, 1] }
 */
export function clusterAnchored(
  segments: readonly GaussianStats[],
  anchorOf: readonly number[],
  options: ClusteringOptions,
  embeddings?: readonly EmbeddingSum[],
): { labels: number[]; anchors: number[] } {
  const labels = cluster(segments, options, anchorOf, embeddings);
  const anchors: number[] = [];
  labels.forEach((l, i) => {
    if (anchors[l] === undefined || anchors[l] === -1) anchors[l] = anchorOf[i]!;
  });
  return { labels, anchors };
}

function addSum(into: EmbeddingSum, from: EmbeddingSum): void {
  for (let d = 0; d < into.sum.length; d++) into.sum[d]! += from.sum[d]!;
  into.size += from.size;
}

function cluster(
  segments: readonly GaussianStats[],
  { penalty, maxClusters, similarityMerge = Infinity, establishedFloor = -Infinity, establishedSize = Infinity }: ClusteringOptions,
  anchorOf?: readonly number[],
  embeddingsIn?: readonly EmbeddingSum[],
): number[] {
  const n = segments.length;
  const embeddings = embeddingsIn?.map((e) => ({ sum: Float64Array.from(e.sum), size: e.size }));
  const similarity = (i: number, j: number) => {
    const a = embeddings![i]!;
    const b = embeddings![j]!;
    let dot = 0;
    for (let d = 0; d < a.sum.length; d++) dot += a.sum[d]! * b.sum[d]!;
    return dot / (a.size * b.size);
  };
  const stats: (GaussianStats | null)[] = segments.map((s) => {
    const copy = emptyStats(s.dim);
    addStats(copy, s);
    return copy;
  });
  const logDets = stats.map((s) => logDetCovariance(s!));
  const anchor = segments.map((_, i) => anchorOf?.[i] ?? -1);
  // With embeddings, a pair they call one voice comes first (−∞ + similarity keeps their order), and two established clusters they call two voices never merge.
  const distanceOf = (i: number, j: number) => {
    if (anchor[i]! >= 0 && anchor[j]! >= 0 && anchor[i] !== anchor[j]) return Infinity;
    if (embeddings) {
      const s = similarity(i, j);
      if (s < establishedFloor && embeddings[i]!.size >= establishedSize && embeddings[j]!.size >= establishedSize) return Infinity;
      if (s > similarityMerge) return -1e12 - s;
    }
    return deltaBic(stats[i]!, stats[j]!, penalty, logDets[i], logDets[j]);
  };
  const parent = Array.from({ length: n }, (_, i) => i);
  // distance[i][j] for i < j, live clusters only.
  const distance = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) distance[i]![j] = distanceOf(i, j);
  }
  let live = n;
  while (live > 1) {
    let best = Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (!stats[i]) continue;
      const row = distance[i]!;
      for (let j = i + 1; j < n; j++) {
        if (stats[j] && row[j]! < best) {
          best = row[j]!;
          bi = i;
          bj = j;
        }
      }
    }
    if ((best >= 0 && live <= maxClusters) || best === Infinity) break;
    addStats(stats[bi]!, stats[bj]!);
    if (embeddings) addSum(embeddings[bi]!, embeddings[bj]!);
    if (anchor[bi]! < 0) anchor[bi] = anchor[bj]!;
    stats[bj] = null;
    parent[bj] = bi;
    logDets[bi] = logDetCovariance(stats[bi]!);
    live--;
    for (let k = 0; k < n; k++) {
      if (k === bi || !stats[k]) continue;
      const d = distanceOf(bi, k);
      if (k < bi) distance[k]![bi] = d;
      else distance[bi]![k] = d;
    }
  }
  const root = (i: number): number => (parent[i] === i ? i : root(parent[i]!));
  return firstAppearanceOrder(segments.map((_, i) => root(i)));
}

/** Renumbers labels 0, 1, … in order of first appearance. */
export function firstAppearanceOrder(labels: readonly number[]): number[] {
  const order = new Map<number, number>();
  return labels.map((l) => {
    if (!order.has(l)) order.set(l, order.size);
    return order.get(l)!;
  });
}
