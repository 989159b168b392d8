/**
 * The embedded diarizer for live streams, decided as words become final.
 *
 * With the speaker network, once 20 final x-vector windows (1.5 s, every
 * 0.5 s) are known, each batch of final words is labelled by spectral
 * clustering (spectral-clustering.ts) of its windows together with the last
 * {@link OnlineDiarizerOptions.recentWindows} final ones; each cluster is the
 * speaker whose final windows it holds most of, and a cluster of new windows
 * that holds none is a new voice. The words' speech frames are then
 * re-segmented among the voices their windows were given (resegmentation.ts).
 *
 * Before that, and without the network: each batch of final words is cut
 * into pieces of a few seconds of speech, which are clustered with the
 * recent final pieces (a window of {@link OnlineDiarizerOptions.historyPieces})
 * and one summary per speaker of everything older, with the batch
 * diarizer's voice models (full-covariance Gaussians of MFCC frames compared
 * with the BIC, overruled by x-vectors where they are sure); summaries of
 * different speakers never merge. Each cluster is matched to the speaker
 * whose final pieces it holds most of; a cluster with no speaker is a new
 * voice. Re-clustering the recent past, rather than comparing each piece
 * with each speaker, lets a second voice emerge once a few of its pieces
 * agree with each other, even if its first piece was taken for someone else.
 *
 * Either way final labels are never revisited.
 */
import { type EmbeddingSum, clusterAnchored } from './agglomerative-clustering.js';
import { type ChangeDetectionOptions, DEFAULT_CHANGE_DETECTION_OPTIONS, speakerChanges } from './change-detection.js';
import { type GaussianStats, addFrames, addStats, deltaBic, emptyStats, logDetCovariance } from './gaussian-stats.js';
import { resegmentWithPriors } from './resegmentation.js';
import { type LiveDiarizer, MAX_SPEAKERS, type TimedWord } from './diarizer.js';
import { FRAME_MS, MFCC_DIM, MfccExtractor } from './mfcc.js';
import { xvectorInput } from './kaldi-mfcc.js';
import type { FrameOutputs, XvectorNetwork } from './xvector-network.js';
import { DEFAULT_SPECTRAL_OPTIONS, type SpectralOptions, clusterEmbeddings } from './spectral-clustering.js';
import { SPEECH_RANGE } from './speech-frames.js';

export interface OnlineDiarizerOptions {
  /** BIC penalty weight λ, as in the batch diarizer. */
  penalty: number;
  /** Speech per piece, in frames (10 ms). */
  segmentFrames: number;
  /** A new voice needs at least this much speech in its cluster; less joins the most similar speaker. */
  minNewSpeakerFrames: number;
  /** Recent final pieces re-clustered with each decision. */
  historyPieces: number;
  maxSpeakers: number;
  /** Where to cut the words at changes of voice; null: only by length. */
  changeDetection: ChangeDetectionOptions | null;
  /** With speaker embeddings: clusters whose average cosine is above this merge, whatever the BIC says. */
  similarityMerge: number;
  /** With speaker embeddings: clusters of at least `establishedSize` pieces each merge only above this average cosine. */
  establishedFloor: number;
  establishedSize: number;
  /**
   * With the speaker network, once `spectral.minWindows` final windows are
   * known: final words labelled by spectral clustering of x-vectors of the
   * last `recentWindows` windows with theirs; null: by the clustering above.
   */
  spectral: SpectralOptions | null;
  /** What changes in `spectral` while no voice is known yet. */
  firstVoicesSpectral: Partial<SpectralOptions>;
  recentWindows: number;
  /** Windows and their hop (10 ms frames). */
  windowFrames: number;
  windowHop: number;
  /** A cluster of new windows that matches no speaker is a new voice with at least this many; else the closest voice. */
  minNewVoiceWindows: number;
  /**
   * After spectral clustering: the words' speech frames relabelled by
   * Viterbi among the voices their windows were given, with one Gaussian per
   * voice from those frames and all its earlier final speech; null: each
   * word takes its nearest window's voice.
   */
  resegmentation: { changePenalty: number; passes: number } | null;
}

export const DEFAULT_ONLINE_DIARIZER_OPTIONS: OnlineDiarizerOptions = {
  // A little below the batch diarizer's: a live decision sees less of each
  // voice; on the evaluation set this gave the lowest DER (docs/diarization.md).
  penalty: 2.3,
  segmentFrames: 300,
  minNewSpeakerFrames: 150,
  historyPieces: 60,
  maxSpeakers: MAX_SPEAKERS,
  changeDetection: DEFAULT_CHANGE_DETECTION_OPTIONS,
  // Tuned on the tuning part (docs/diarization.md): 0.5 and 0.6 gave fewer words right.
  similarityMerge: 0.55,
  establishedFloor: 0.35,
  establishedSize: 5,
  // From 20 final windows (about 10 s of speech), with at least 12
  // neighbours per window: the floor keeps the graph of few windows in one
  // piece, and spectral clustering then labels the early words better than
  // the BIC (docs/diarization.md: floors of 6 and 18 did worse on both sets).
  // Halves below 0.4 are split, as async did before: the last minute's
  // windows hold a new voice's first seconds, which the eigengaps miss, and
  // async's 0.3 cost real time 0.2–0.5 points of words on every check.
  // Async's check of halves when every level sees one voice split voices
  // here (4 more over-counts on 80 scratch recordings, no more words). The
  // last minute's windows hold a new voice in one stretch, so async's merge
  // of groups heard in few stretches would join every newcomer to someone.
  spectral: { ...DEFAULT_SPECTRAL_OPTIONS, minNeighbours: 12, splitCosine: 0.4, minWindows: 20, twoVoicesBelowCosine: null, fewStretchesMergeCosine: null },
  // Until a voice is known, the windows clustered are one stretch of speech
  // from its start, as async's are, and async's two rules apply: a first
  // long utterance of one voice at uneven levels was split in two, and kept
  // two voices to the end (docs/diarization.md: 2 counts more of 40
  // monologues, 1 of 40 scratch recordings, a pair of women joined on another).
  firstVoicesSpectral: { twoVoicesBelowCosine: DEFAULT_SPECTRAL_OPTIONS.twoVoicesBelowCosine, fewStretchesMergeCosine: DEFAULT_SPECTRAL_OPTIONS.fewStretchesMergeCosine },
  recentWindows: 120,
  windowFrames: 150,
  windowHop: 50,
  // 5, not 3: one utterance's windows agree with each other, and at 3 a
  // speaker's long utterance became a voice of its own more often (count
  // right on 110 of 120 tuning and scratch recordings against 106, the same
  // words right); 8 joined real newcomers to someone.
  minNewVoiceWindows: 5,
  // As async's; 20 did no better on the scratch check (docs/diarization.md).
  resegmentation: { changePenalty: 40, passes: 2 },
};

const SAMPLES_PER_FRAME = 160;

/**
 * Provisional labels are worked out again once the words cover this much
 * more audio (docs/diarization.md: under a third of the cost per second at 500 ms
 * for 0.3 point less agreement with the final labels).
 */
const PROVISIONAL_REFRESH_MS = 500;

/** The most frequent of `labels` (the first of the most frequent); 0 for none. */
function majority(labels: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = labels[0] ?? 0;
  for (const l of labels) {
    const n = (counts.get(l) ?? 0) + 1;
    counts.set(l, n);
    if (n > counts.get(best)!) best = l;
  }
  return best;
}

function nearestCentre(centres: readonly number[], ms: number): number {
  let best = 0;
  for (let i = 1; i < centres.length; i++) if (Math.abs(centres[i]! - ms) < Math.abs(centres[best]! - ms)) best = i;
  return best;
}

function nearestWord(words: readonly TimedWord[], ms: number): number {
  let best = 0;
  const distance = (w: TimedWord) => Math.abs((w.startMs + w.endMs) / 2 - ms);
  for (let i = 1; i < words.length; i++) if (distance(words[i]!) < distance(words[best]!)) best = i;
  return best;
}
const MAX_KEPT_SAMPLES = 16_000 * 60;
// Wider than the batch diarizer's 30 dB: on the tuning part 30 dB gave 81.7 % of words right against 83.0 %,
// and again 1.2–3.4 points fewer on the tuning part and two scratch sets once spectral clustering labelled live words.
const LIVE_VOICED_RANGE_DB = 60;

/** The x-vector network's frame outputs over a batch of words' audio. */
interface NetworkPass {
  outputs: FrameOutputs;
  count: number;
  voiced: Uint8Array;
  /** Where the audio starts, ms. */
  originMs: number;
}

/** The speech frames of a batch of words, side by side (`rows` layout), with the word and stream frame index of each. */
interface SpeechOfWords {
  gathered: Float32Array;
  wordOf: number[];
  frames: number[];
}

interface Piece {
  /** The piece ends before word `to` of the call (it starts where the previous one ends). */
  to: number;
  stats: GaussianStats;
  /** It starts at a change of voice (not at a length cut). */
  afterChange: boolean;
  /** Its x-vector, once final (with a network). */
  embedding?: EmbeddingSum;
}

/**
 * @example
 * const diarizer = new OnlineDiarizer();
 * diarizer.push(pcm);                         // as audio arrives
 * diarizer.labelProvisional(partialWords);    // ['1', '1', '2']: may change
 * diarizer.labelFinal(finalWords);            // ['1', '1', '2']: never changes
 */
export class OnlineDiarizer implements LiveDiarizer {
  private readonly options: OnlineDiarizerOptions;
  private readonly mfcc = new MfccExtractor(0);
  private rows = new Float32Array(4096 * MFCC_DIM);
  private energy = new Float32Array(4096);
  /** Stream frame index of rows[0]; frame i starts at i × 10 ms. */
  private firstFrame = 0;
  private frameCount = 0;
  /** Recent final pieces and their speakers. */
  private readonly history: { stats: GaussianStats; speaker: number; embedding: EmbeddingSum | undefined }[] = [];
  /** Per speaker: its final pieces that left the history window. */
  private readonly summaries: GaussianStats[] = [];
  /** Per speaker, with a network: the x-vectors of its pieces that left the history window. */
  private readonly summaryEmbeddings: EmbeddingSum[] = [];
  /** The audio since the last final word (at most 60 s), for the x-vectors of the next ones. */
  private samples = new Int16Array(0);
  private sampleCount = 0;
  /** Stream sample index of samples[0]. */
  private samplesStart = 0;
  /** Per speaker: all its final pieces (for provisional labels). */
  private readonly totals: GaussianStats[] = [];
  private lastSpeaker = 0;
  /** Recent final windows' x-vectors and speakers; per speaker, the sum of all its final windows' x-vectors. */
  private readonly recent: { embedding: Float32Array; speaker: number }[] = [];
  private readonly voiceSums: Float64Array[] = [];
  /** The utterance's last worked-out provisional labels: where its words start and end (ms). */
  private provisional: { startMs: number; endMs: number; labels: string[] } | null = null;

  constructor(
    options: Partial<OnlineDiarizerOptions> = {},
    private readonly network: XvectorNetwork | null = null,
  ) {
    this.options = { ...DEFAULT_ONLINE_DIARIZER_OPTIONS, ...options };
  }

  push(samples: Int16Array): void {
    if (this.network) {
      // Words become final seconds after they are spoken; a long wait for
      // them (silence, or nothing recognised) must not grow the buffer: the
      // oldest audio goes, and words that old are labelled by their Gaussians.
      const excess = this.sampleCount + samples.length - MAX_KEPT_SAMPLES;
      if (excess > 0) {
        const drop = Math.ceil(Math.min(excess, this.sampleCount) / SAMPLES_PER_FRAME) * SAMPLES_PER_FRAME;
        this.samples.copyWithin(0, drop, this.sampleCount);
        this.sampleCount -= drop;
        this.samplesStart += drop;
      }
      if (this.sampleCount + samples.length > this.samples.length) {
        const grown = new Int16Array(Math.max(this.sampleCount + samples.length, this.samples.length * 2));
        grown.set(this.samples.subarray(0, this.sampleCount));
        this.samples = grown;
      }
      this.samples.set(samples, this.sampleCount);
      this.sampleCount += samples.length;
    }
    const frames = this.mfcc.push(samples);
    this.reserve(this.frameCount + frames.count);
    this.rows.set(frames.coefficients, this.frameCount * MFCC_DIM);
    this.energy.set(frames.logEnergy, this.frameCount);
    this.frameCount += frames.count;
  }

  labelFinal(words: readonly TimedWord[]): string[] {
    this.provisional = null;
    const speech = this.speechFrames(words);
    const pieces = this.pieces(words, speech);
    const pass = this.network && pieces.length > 0 ? this.networkPass(words, this.network) : null;
    const windows = pass && this.options.spectral ? this.windowsOf(pass, this.network!) : null;
    let speakers: number[];
    let out: number[];
    if (windows && this.recent.length + windows.embeddings.length >= this.options.spectral!.minWindows) {
      const voices = this.clusterWindows(windows.embeddings, this.options.spectral!);
      out = words.map((word) => voices[nearestCentre(windows.centres, (word.startMs + word.endMs) / 2)]!);
      if (this.options.resegmentation) out = this.resegment(speech, windows.centres, voices, out, this.options.resegmentation);
      speakers = pieces.map((piece, k) => majority(out.slice(k === 0 ? 0 : pieces[k - 1]!.to, piece.to)));
      this.rememberWindows(windows.embeddings, voices);
    } else {
      if (pass) this.embed(words, pieces, this.network!, pass);
      speakers = this.clusterFinal(pieces);
      out = this.spread(words, pieces, speakers);
      if (windows) {
        this.rememberWindows(
          windows.embeddings,
          windows.centres.map((c) => out[nearestWord(words, c)]!),
        );
      }
    }
    pieces.forEach((piece, k) => this.remember(piece, speakers[k]!));
    if (out.length > 0) this.lastSpeaker = out[out.length - 1]!;
    const last = words[words.length - 1];
    // Audio before the last final word is never looked at again.
    if (last) this.dropBefore(Math.floor(last.endMs / FRAME_MS));
    // Speakers are numbered as they are found, which is their order of first appearance in final words.
    return out.map((s) => String(s + 1));
  }

  labelProvisional(words: readonly TimedWord[]): string[] {
    const first = words[0];
    const last = words[words.length - 1];
    if (!first || !last) return [];
    const cached = this.provisional;
    // Cutting the utterance so far at changes of voice is most of a
    // provisional label's cost, and it is asked for after every chunk: it is
    // redone once the words cover PROVISIONAL_REFRESH_MS more, and words
    // added meanwhile continue the latest speaker.
    if (cached && cached.startMs === first.startMs && words.length >= cached.labels.length && last.endMs - cached.endMs < PROVISIONAL_REFRESH_MS) {
      const latest = cached.labels[cached.labels.length - 1]!;
      return [...cached.labels, ...new Array<string>(words.length - cached.labels.length).fill(latest)];
    }
    const labels = this.computeProvisional(words);
    this.provisional = { startMs: first.startMs, endMs: last.endMs, labels };
    return labels;
  }

  private computeProvisional(words: readonly TimedWord[]): string[] {
    const totals = this.totals.map((t) => {
      const copy = emptyStats(MFCC_DIM);
      addStats(copy, t);
      return copy;
    });
    const pieces = this.pieces(words);
    const speakers = pieces.map((piece) => this.provisionalSpeaker(piece.stats, totals));
    return this.spread(words, pieces, speakers).map((s) => String(s + 1));
  }

  /** Each word's speaker: its piece's; words after the last piece continue it. */
  private spread(words: readonly TimedWord[], pieces: readonly Piece[], speakers: readonly number[]): number[] {
    const out = new Array<number>(words.length);
    let current = this.lastSpeaker;
    let w = 0;
    pieces.forEach((piece, k) => {
      current = speakers[k]!;
      for (; w < piece.to; w++) out[w] = current;
    });
    for (; w < words.length; w++) out[w] = current;
    return out;
  }

  /** One pass of the network over the words' audio, where the audio starts (ms); null without the audio. */
  private networkPass(words: readonly TimedWord[], network: XvectorNetwork): NetworkPass | null {
    if (words.length === 0) return null;
    const base = this.samplesStart;
    const from = Math.max(0, Math.round(words[0]!.startMs * 16) - base);
    const to = Math.min(this.sampleCount, Math.round(words[words.length - 1]!.endMs * 16) - base);
    if (to - from < SAMPLES_PER_FRAME * 3) return null;
    const { count, features, voiced } = xvectorInput(this.samples.subarray(from, to), LIVE_VOICED_RANGE_DB);
    return { outputs: network.frames(features, count), count, voiced, originMs: (base + from) / 16 };
  }

  /** X-vectors of the pass's 1.5 s windows, and the windows' middles (ms). */
  private windowsOf(pass: NetworkPass, network: XvectorNetwork): { embeddings: Float32Array[]; centres: number[] } {
    const windows = network.windows(pass.outputs, pass.count, this.options.windowFrames, this.options.windowHop, pass.voiced);
    return { embeddings: windows.map((w) => w.embedding), centres: windows.map((w) => pass.originMs + w.middleFrame * FRAME_MS) };
  }

  /**
   * The speaker of each new window: the recent final windows and the new
   * ones clustered together; each cluster is the speaker whose recent
   * windows it holds most of (one cluster per speaker); new windows of a
   * cluster with no speaker are a new voice if there are enough of them,
   * else each goes to the closest voice.
   */
  private clusterWindows(embeddings: readonly Float32Array[], spectral: SpectralOptions): number[] {
    const options = this.voiceSums.length === 0 ? { ...spectral, ...this.options.firstVoicesSpectral } : spectral;
    const labels = clusterEmbeddings([...this.recent.map((r) => r.embedding), ...embeddings], options);
    const votes = new Map<string, { cluster: number; speaker: number; n: number }>();
    this.recent.forEach((r, i) => {
      const key = `${labels[i]} ${r.speaker}`;
      const vote = votes.get(key) ?? { cluster: labels[i]!, speaker: r.speaker, n: 0 };
      vote.n++;
      votes.set(key, vote);
    });
    const speakerOf = new Map<number, number>();
    const taken = new Set<number>();
    for (const { cluster, speaker } of [...votes.values()].sort((a, b) => b.n - a.n)) {
      if (speakerOf.has(cluster) || taken.has(speaker)) continue;
      speakerOf.set(cluster, speaker);
      taken.add(speaker);
    }
    const fresh = labels.slice(this.recent.length);
    return fresh.map((cluster, k) => {
      if (!speakerOf.has(cluster)) {
        const size = fresh.filter((c) => c === cluster).length;
        if ((size >= this.options.minNewVoiceWindows && this.totals.length < this.options.maxSpeakers) || this.voiceSums.length === 0) {
          speakerOf.set(cluster, this.newSpeaker());
        } else return this.closestVoice(embeddings[k]!);
      }
      return speakerOf.get(cluster)!;
    });
  }

  private closestVoice(embedding: Float32Array): number {
    let best = 0;
    let bestScore = -Infinity;
    this.voiceSums.forEach((sum, s) => {
      let dot = 0;
      let norm = 0;
      for (let d = 0; d < sum.length; d++) {
        dot += sum[d]! * embedding[d]!;
        norm += sum[d]! * sum[d]!;
      }
      const score = norm > 0 ? dot / Math.sqrt(norm) : -Infinity;
      if (score > bestScore) [best, bestScore] = [s, score];
    });
    return best;
  }

  private rememberWindows(embeddings: readonly Float32Array[], speakers: readonly number[]): void {
    embeddings.forEach((embedding, k) => {
      const speaker = speakers[k]!;
      while (this.voiceSums.length <= speaker) this.voiceSums.push(new Float64Array(embedding.length));
      const sum = this.voiceSums[speaker]!;
      for (let d = 0; d < sum.length; d++) sum[d]! += embedding[d]!;
      this.recent.push({ embedding, speaker });
    });
    if (this.recent.length > this.options.recentWindows) this.recent.splice(0, this.recent.length - this.options.recentWindows);
  }

  /** Each piece's x-vector, from the network's pass over the words' audio. */
  private embed(words: readonly TimedWord[], pieces: Piece[], network: XvectorNetwork, pass: NetworkPass): void {
    const { outputs, count, voiced, originMs } = pass;
    let first = 0;
    for (const piece of pieces) {
      const a = Math.max(0, Math.round((words[first]!.startMs - originMs) / FRAME_MS));
      const b = Math.min(count, Math.round((words[piece.to - 1]!.endMs - originMs) / FRAME_MS));
      if (b > a) piece.embedding = { sum: Float64Array.from(network.embed(outputs, a, b, voiced)), size: 1 };
      first = piece.to;
    }
  }

  /** The speaker of each new piece, from clustering them with the recent past. */
  private clusterFinal(pieces: readonly Piece[]): number[] {
    if (pieces.length === 0) return [];
    const { penalty, maxSpeakers, minNewSpeakerFrames } = this.options;
    const items: GaussianStats[] = [];
    const embeddings: (EmbeddingSum | undefined)[] = [];
    const anchorOf: number[] = [];
    this.summaries.forEach((summary, speaker) => {
      if (summary.count === 0) return;
      items.push(summary);
      embeddings.push(this.summaryEmbeddings[speaker]);
      anchorOf.push(speaker);
    });
    const firstHistory = items.length;
    for (const h of this.history) {
      items.push(h.stats);
      embeddings.push(h.embedding);
      anchorOf.push(-1);
    }
    const firstNew = items.length;
    for (const p of pieces) {
      items.push(p.stats);
      embeddings.push(p.embedding);
      anchorOf.push(-1);
    }
    const withEmbeddings = embeddings.every((e) => e && e.size > 0);
    const { labels, anchors } = clusterAnchored(
      items,
      anchorOf,
      {
        penalty,
        maxClusters: maxSpeakers,
        similarityMerge: this.options.similarityMerge,
        establishedFloor: this.options.establishedFloor,
        establishedSize: this.options.establishedSize,
      },
      withEmbeddings ? (embeddings as EmbeddingSum[]) : undefined,
    );

    const speakerOf = anchors.map((a) => a);
    const taken = new Set(anchors.filter((a) => a >= 0));
    // Votes: how much of each speaker's recent final speech each cluster holds.
    const votes: { cluster: number; speaker: number; frames: number }[] = [];
    this.history.forEach((h, i) => {
      const cluster = labels[firstHistory + i]!;
      const vote = votes.find((v) => v.cluster === cluster && v.speaker === h.speaker);
      if (vote) vote.frames += h.stats.count;
      else votes.push({ cluster, speaker: h.speaker, frames: h.stats.count });
    });
    votes.sort((a, b) => b.frames - a.frames);
    for (const { cluster, speaker } of votes) {
      if (speakerOf[cluster]! >= 0 || taken.has(speaker)) continue;
      speakerOf[cluster] = speaker;
      taken.add(speaker);
    }
    return pieces.map((_, k) => {
      const cluster = labels[firstNew + k]!;
      if (speakerOf[cluster]! < 0) {
        const stats = emptyStats(MFCC_DIM);
        labels.forEach((l, i) => {
          if (l === cluster) addStats(stats, items[i]!);
        });
        const closest = this.closest(stats, this.totals).speaker;
        const isNewVoice = closest < 0 || (stats.count >= minNewSpeakerFrames && this.totals.length < maxSpeakers);
        speakerOf[cluster] = isNewVoice ? this.newSpeaker() : closest;
      }
      return speakerOf[cluster]!;
    });
  }

  /** The speaker `stats` is most plausibly one voice with, and that ΔBIC; -1 when there are none. */
  private closest(stats: GaussianStats, totals: readonly GaussianStats[]): { speaker: number; score: number } {
    const logDet = logDetCovariance(stats);
    let speaker = -1;
    let score = Infinity;
    totals.forEach((total, i) => {
      // A speaker founded in this very decision has no frames yet.
      if (total.count === 0) return;
      const s = deltaBic(stats, total, this.options.penalty, logDet);
      if (s < score) [speaker, score] = [i, s];
    });
    return { speaker, score };
  }

  /**
   * A provisional decision: the closest speaker, or a new one if `stats` is
   * long enough to be a voice and plausibly nobody's. Grows `totals` (a copy).
   */
  private provisionalSpeaker(stats: GaussianStats, totals: GaussianStats[]): number {
    const { minNewSpeakerFrames, maxSpeakers } = this.options;
    const closest = this.closest(stats, totals);
    let speaker = closest.speaker;
    if (speaker < 0 || (closest.score > 0 && stats.count >= minNewSpeakerFrames && totals.length < maxSpeakers)) {
      totals.push(emptyStats(MFCC_DIM));
      speaker = totals.length - 1;
    }
    addStats(totals[speaker]!, stats);
    return speaker;
  }

  private newSpeaker(): number {
    this.totals.push(emptyStats(MFCC_DIM));
    this.summaries.push(emptyStats(MFCC_DIM));
    this.summaryEmbeddings.push({ sum: new Float64Array(this.network?.dim ?? 0), size: 0 });
    return this.totals.length - 1;
  }

  /** Adds a final piece to the history; the oldest leaves it for its speaker's summary. */
  private remember(piece: Piece, speaker: number): void {
    while (this.totals.length <= speaker) this.newSpeaker();
    addStats(this.totals[speaker]!, piece.stats);
    this.history.push({ stats: piece.stats, speaker, embedding: piece.embedding });
    if (this.history.length > this.options.historyPieces) {
      const old = this.history.shift()!;
      addStats(this.summaries[old.speaker]!, old.stats);
      const summary = this.summaryEmbeddings[old.speaker]!;
      if (old.embedding) {
        for (let d = 0; d < summary.sum.length; d++) summary.sum[d]! += old.embedding.sum[d]!;
        summary.size += old.embedding.size;
      }
    }
  }

  /**
   * The words cut into pieces of one voice: where the voice changes
   * (change-detection.ts), and into pieces of about `segmentFrames` speech
   * frames; always at word boundaries. A short remainder of a length cut
   * joins the piece before it. Words without speech frames belong to the
   * piece they are in.
   */
  private pieces(words: readonly TimedWord[], speech: SpeechOfWords = this.speechFrames(words)): Piece[] {
    const { segmentFrames, changeDetection } = this.options;
    const { gathered, wordOf } = speech;
    const changes = changeDetection ? speakerChanges(gathered, MFCC_DIM, 0, wordOf.length, changeDetection) : [];
    const changeAt = new Set(changes.map((c) => wordOf[c]!));

    const pieces: Piece[] = [];
    let piece: Piece = { to: 0, stats: emptyStats(MFCC_DIM), afterChange: false };
    let k = 0;
    words.forEach((_, i) => {
      if (changeAt.has(i) && piece.stats.count > 0) {
        pieces.push(piece);
        piece = { to: i, stats: emptyStats(MFCC_DIM), afterChange: true };
      }
      const first = k;
      while (k < wordOf.length && wordOf[k] === i) k++;
      addFrames(piece.stats, gathered, first, k);
      piece.to = i + 1;
      if (piece.stats.count >= segmentFrames) {
        pieces.push(piece);
        piece = { to: i + 1, stats: emptyStats(MFCC_DIM), afterChange: false };
      }
    });
    const last = pieces[pieces.length - 1];
    if (last && !piece.afterChange && piece.stats.count < segmentFrames / 2) {
      addStats(last.stats, piece.stats);
      last.to = words.length;
    } else if (piece.stats.count > MFCC_DIM) {
      pieces.push(piece);
    } else if (last) {
      last.to = words.length;
    }
    return pieces;
  }

  /**
   * The words' frames within 40 dB of their loudest, as async's: at 30 dB
   * live gave 0.5–0.9 points fewer words right on the tuning part and two
   * scratch sets (docs/diarization.md).
   */
  private speechFrames(words: readonly TimedWord[]): SpeechOfWords {
    const ranges = words.map((w) => this.frameRange(w));
    let loudest = -Infinity;
    for (const [from, to] of ranges) for (let f = from; f < to; f++) loudest = Math.max(loudest, this.energy[f]!);
    const speech: number[] = [];
    const wordOf: number[] = [];
    ranges.forEach(([from, to], i) => {
      for (let f = from; f < to; f++) {
        if (this.energy[f]! < loudest - SPEECH_RANGE) continue;
        speech.push(f);
        wordOf.push(i);
      }
    });
    const gathered = new Float32Array(speech.length * MFCC_DIM);
    speech.forEach((f, k) => gathered.set(this.rows.subarray(f * MFCC_DIM, (f + 1) * MFCC_DIM), k * MFCC_DIM));
    return { gathered, wordOf, frames: speech.map((f) => this.firstFrame + f) };
  }

  /**
   * Each word's voice: that of most of its speech frames after re-segmentation. The
   * windows are 1.5 s, so in quick turns a window's voice spills onto the
   * neighbour's first and last words, and the frames' Gaussians place the
   * change better (as async's re-segmentation does). Only the voices the
   * windows found take part, so no voice is added or lost here.
   */
  private resegment(
    { gathered, wordOf, frames }: SpeechOfWords,
    centres: readonly number[],
    voices: readonly number[],
    out: readonly number[],
    options: { changePenalty: number; passes: number },
  ): number[] {
    const present = [...new Set(voices)];
    if (present.length < 2) return [...out];
    const initial = Int32Array.from(frames, (f) => present.indexOf(voices[nearestCentre(centres, f * FRAME_MS + FRAME_MS / 2)]!));
    const priors = present.map((v) => this.totals[v] ?? null);
    const labels = resegmentWithPriors(gathered, MFCC_DIM, initial, present.length, priors, { ...options, minFrames: 2 * MFCC_DIM });
    const votes = out.map(() => new Array<number>(present.length).fill(0));
    labels.forEach((l, k) => votes[wordOf[k]!]![l]!++);
    return out.map((voice, i) => {
      const row = votes[i]!;
      const best = row.indexOf(Math.max(...row));
      return row[best]! > 0 ? present[best]! : voice;
    });
  }

  /** Indexes into `rows` of the frames inside `word`. */
  private frameRange(word: TimedWord): [number, number] {
    const from = Math.max(Math.ceil(word.startMs / FRAME_MS), this.firstFrame) - this.firstFrame;
    const to = Math.min(Math.floor(word.endMs / FRAME_MS), this.firstFrame + this.frameCount) - this.firstFrame;
    return [from, Math.max(from, to)];
  }

  private dropBefore(frame: number): void {
    const drop = Math.min(this.frameCount, frame - this.firstFrame);
    if (drop <= 0) return;
    this.rows.copyWithin(0, drop * MFCC_DIM, this.frameCount * MFCC_DIM);
    this.energy.copyWithin(0, drop, this.frameCount);
    this.firstFrame += drop;
    this.frameCount -= drop;
    const dropSamples = Math.min(this.sampleCount, Math.max(0, this.firstFrame * SAMPLES_PER_FRAME - this.samplesStart));
    this.samples.copyWithin(0, dropSamples, this.sampleCount);
    this.sampleCount -= dropSamples;
    this.samplesStart += dropSamples;
  }

  private reserve(frames: number): void {
    if (frames <= this.energy.length) return;
    const size = Math.max(frames, this.energy.length * 2);
    const rows = new Float32Array(size * MFCC_DIM);
    rows.set(this.rows.subarray(0, this.frameCount * MFCC_DIM));
    this.rows = rows;
    const energy = new Float32Array(size);
    energy.set(this.energy.subarray(0, this.frameCount));
    this.energy = energy;
  }
}
