/**
 * The batch diarizer for whole recordings:
 *
 * 1. MFCC frames of the speech (mfcc.ts, speech-frames.ts), and with the
 *    speaker network, x-vectors (xvector-network.ts: Kaldi's embedding of a
 *    voice, from a network trained on thousands of telephone speakers) of
 *    1.5 s windows every 0.5 s;
 * 2. with enough windows, spectral clustering of their x-vectors
 *    (spectral-clustering.ts), which also finds the number of speakers;
 *    every speech frame takes its nearest window's cluster;
 * 3. otherwise (under about 12 s of speech, no network) each utterance is cut where
 *    the voice changes (change-detection.ts) and into segments of at most
 *    about 3 s, each summarised as a full-covariance Gaussian
 *    (gaussian-stats.ts) and an x-vector, and clustered agglomeratively with
 *    the BIC as distance and stopping rule, overruled by the x-vectors where
 *    they are sure (agglomerative-clustering.ts);
 * 4. Viterbi re-segmentation of the frames with one Gaussian per speaker,
 *    twice, re-estimating the Gaussians in between (resegmentation.ts);
 * 5. after 3. only, a last Viterbi pass with a mixture of 8 diagonal
 *    Gaussians per voice (gaussian-mixture.ts), adapted from a background
 *    mixture of the whole recording.
 *
 * An utterance's features, x-vector network outputs, windows and segments
 * are computed when it is added; only the MFCC frames (5.2 KB per second of
 * speech), one embedding per segment and one per window are kept until the end.
 */
import { type ChangeDetectionOptions, DEFAULT_CHANGE_DETECTION_OPTIONS, speakerChanges } from './change-detection.js';
import { type ClusteringOptions, type EmbeddingSum, clusterSegments, firstAppearanceOrder } from './agglomerative-clustering.js';
import { type BatchDiarizer, MAX_SPEAKERS, type SpeakerTurn } from './diarizer.js';
import { type GaussianStats, addFrames, addStats, emptyStats } from './gaussian-stats.js';
import { FRAME_MS, MFCC_DIM, MfccExtractor } from './mfcc.js';
import { type MixtureOptions, adapt, frameLogLikelihood, trainBackground } from './gaussian-mixture.js';
import { type ResegmentationOptions, modelsOf, statsByLabel, viterbiDecode, viterbiLabels } from './resegmentation.js';
import { SpeechFrames, type Stretch } from './speech-frames.js';
import { xvectorInput } from './kaldi-mfcc.js';
import type { XvectorNetwork } from './xvector-network.js';
import { DEFAULT_SPECTRAL_OPTIONS, type SpectralOptions, clusterEmbeddings } from './spectral-clustering.js';

interface Segment {
  from: number;
  to: number;
  stats: GaussianStats;
  embedding?: EmbeddingSum;
}

export interface BicDiarizerOptions extends ClusteringOptions, ResegmentationOptions {
  /** Target length of the segments clustered, in frames (10 ms). */
  segmentFrames: number;
  /** Segments shorter than this are not clustered (too little to model a voice); re-segmentation labels them. */
  minSegmentFrames: number;
  /** Re-segmentation passes. */
  passes: number;
  /** Where to cut utterances at changes of voice before clustering; null: do not. */
  changeDetection: ChangeDetectionOptions | null;
  /** The last re-segmentation pass, with a mixture per voice; null: single Gaussians only. */
  mixture: MixtureOptions | null;
  /** Windows the x-vectors clustered are taken on, and their hop (10 ms frames). */
  windowFrames: number;
  windowHop: number;
  /**
   * With the speaker network: spectral clustering of the windows' x-vectors
   * instead of the BIC's agglomerative clustering of segments; null: the latter.
   */
  spectral: SpectralOptions | null;
}

/** The x-vector of a window of one stretch. */
interface Window {
  stretch: number;
  centerMs: number;
  embedding: Float32Array;
}

// Quiet frames inside words (stops, the gap before a plosive) are not speech
// frames, but they do not end a turn.
const MAX_JOIN_GAP_MS = 500;

export const DEFAULT_BIC_DIARIZER_OPTIONS: BicDiarizerOptions = {
  // Tuned on the tuning part of the evaluation set (docs/diarization.md).
  // Without x-vectors, 2.4 splits the LibriVox reader's 60 s monologue of
  // the unit tests in two; with them it stays one voice up to a merge
  // threshold of 0.425 (0.45 scores a little better there but splits it).
  penalty: 2.4,
  similarityMerge: 0.4,
  establishedFloor: 0.35,
  establishedSize: 5,
  maxClusters: MAX_SPEAKERS,
  changePenalty: 40,
  pausePenalty: 5,
  segmentFrames: 300,
  minSegmentFrames: 60,
  passes: 2,
  changeDetection: DEFAULT_CHANGE_DETECTION_OPTIONS,
  mixture: { components: 8, iterations: 6, relevance: 16 },
  windowFrames: 150,
  windowHop: 50,
  spectral: DEFAULT_SPECTRAL_OPTIONS,
};

/**
 * @example
 * const diarizer = new BicDiarizer();
 * for (const u of utterances) diarizer.addSpeech(u.samples, u.offsetMs);
 * const turns = diarizer.finish(); // [{ startMs: 200, endMs: 4100, speaker: '1' }, …]
 */
export class BicDiarizer implements BatchDiarizer {
  private readonly frames = new SpeechFrames();
  private readonly options: BicDiarizerOptions;
  private readonly segmentList: Segment[] = [];
  private readonly windows: Window[] = [];

  constructor(
    options: Partial<BicDiarizerOptions> = {},
    private readonly network: XvectorNetwork | null = null,
  ) {
    this.options = { ...DEFAULT_BIC_DIARIZER_OPTIONS, ...options };
  }

  addSpeech(samples: Int16Array, offsetMs: number): void {
    const stretch = this.frames.addStretch(new MfccExtractor(offsetMs).push(samples));
    const segments = this.segments(stretch);
    if (this.network && segments.length > 0) this.embed(segments, samples, offsetMs);
    this.segmentList.push(...segments);
  }

  private embed(segments: Segment[], samples: Int16Array, offsetMs: number): void {
    const network = this.network!;
    const { count, features, voiced } = xvectorInput(samples);
    const outputs = network.frames(features, count);
    for (const segment of segments) {
      const from = Math.max(0, Math.round((this.frames.timeMs(segment.from) - offsetMs) / FRAME_MS));
      const to = Math.min(count, Math.round((this.frames.endMs(segment.to - 1) - offsetMs) / FRAME_MS));
      segment.embedding = { sum: Float64Array.from(network.embed(outputs, from, to, voiced)), size: 1 };
    }
    const stretch = this.frames.stretches.length - 1;
    for (const { middleFrame, embedding } of network.windows(outputs, count, this.options.windowFrames, this.options.windowHop, voiced)) {
      this.windows.push({ stretch, centerMs: offsetMs + middleFrame * FRAME_MS, embedding });
    }
  }

  finish(): SpeakerTurn[] {
    const { frames, options } = this;
    const data = frames.coefficients;
    const segments = this.segmentList;
    if (segments.length === 0) return this.singleSpeaker();
    let stats: (GaussianStats | null)[];
    let count: number;
    const clusteredWindows = this.network !== null && options.spectral !== null && this.windows.length >= options.spectral.minWindows;
    if (clusteredWindows) {
      const windowLabels = clusterEmbeddings(
        this.windows.map((w) => w.embedding),
        options.spectral!,
      );
      count = Math.max(...windowLabels) + 1;
      if (count === 1) return this.singleSpeaker();
      const windowOf = this.windowOfFrames();
      stats = statsByLabel(
        windowOf.map((w) => (w < 0 ? -1 : windowLabels[w]!)),
        data,
        MFCC_DIM,
        count,
      );
    } else {
      const clusterOf = clusterSegments(
        segments.map((s) => s.stats),
        options,
        this.network ? segments.map((s) => s.embedding!) : undefined,
      );
      count = Math.max(...clusterOf) + 1;
      if (count === 1) return this.singleSpeaker();
      stats = Array.from({ length: count }, () => emptyStats(MFCC_DIM));
      segments.forEach((s, i) => addStats(stats[clusterOf[i]!]!, s.stats));
    }
    let labels: Int32Array = new Int32Array(0);
    for (let pass = 0; pass < options.passes; pass++) {
      const { models, index } = modelsOf(stats, options.minSegmentFrames);
      const local = viterbiLabels(models, data, frames.count, frames.stretches, options);
      labels = local.map((l) => (l < 0 ? -1 : index[l]!));
      stats = this.withConfidentSpeech(statsByLabel(labels, data, MFCC_DIM, count), labels);
    }
    // After the windows' clusters, the mixtures lose more than they gain (docs/diarization.md).
    if (options.mixture && !clusteredWindows) labels = this.mixturePass(labels, options.mixture);
    return this.turns(labels);
  }

  /**
   * Re-labels every frame with a mixture per voice, adapted from a
   * background mixture of all the recording's speech to the frames the
   * single-Gaussian passes gave that voice.
   */
  private mixturePass(labels: Int32Array, options: MixtureOptions): Int32Array {
    const { frames } = this;
    const data = frames.coefficients;
    // A loop, not Math.max(...labels): hours of speech are millions of frames.
    const count = labels.reduce((max, l) => Math.max(max, l + 1), 0);
    const sets: number[][] = Array.from({ length: count }, () => []);
    labels.forEach((l, f) => {
      if (l >= 0) sets[l]!.push(f);
    });
    const voices = sets.filter((set) => set.length >= this.options.minSegmentFrames);
    if (voices.length < 2) return labels;
    const background = trainBackground(data, MFCC_DIM, voices.flat(), options);
    const models = voices.map((set) => adapt(background, data, set, options.relevance));
    const scratch = new Float64Array(background.components);
    return viterbiDecode(models.length, (m, f) => frameLogLikelihood(models[m]!, data, f, scratch), frames.count, frames.stretches, this.options);
  }

  /**
   * `stats` without the voices that hold fewer than `minSegmentFrames`
   * confident frames: quiet frames give a voice's words their turns, but a
   * voice that lives mostly on them is a level, not a person (on the tuning
   * part, keeping such voices found one recording with a voice too many).
   */
  private withConfidentSpeech(stats: (GaussianStats | null)[], labels: Int32Array): (GaussianStats | null)[] {
    const confident = new Array<number>(stats.length).fill(0);
    labels.forEach((l, f) => {
      if (l >= 0 && this.frames.confident(f)) confident[l]!++;
    });
    return stats.map((s, l) => (confident[l]! >= this.options.minSegmentFrames ? s : null));
  }

  /** The window nearest each speech frame, in the frame's stretch (−1 outside the stretches). */
  private windowOfFrames(): Int32Array {
    const { frames, windows } = this;
    const windowOf = new Int32Array(frames.count).fill(-1);
    let w = 0;
    frames.stretches.forEach((stretch, s) => {
      while (w < windows.length && windows[w]!.stretch < s) w++;
      if (w >= windows.length || windows[w]!.stretch !== s) return;
      for (let f = stretch.from; f < stretch.to; f++) {
        const t = frames.timeMs(f) + FRAME_MS / 2;
        while (w + 1 < windows.length && windows[w + 1]!.stretch === s && Math.abs(windows[w + 1]!.centerMs - t) <= Math.abs(windows[w]!.centerMs - t)) w++;
        windowOf[f] = w;
      }
    });
    return windowOf;
  }

  /** A stretch cut at changes of voice, and into near-equal segments of about `segmentFrames`. */
  private segments(stretch: Stretch): Segment[] {
    const { segmentFrames, minSegmentFrames, changeDetection } = this.options;
    const out: Segment[] = [];
    const changes = changeDetection ? speakerChanges(this.frames.coefficients, MFCC_DIM, stretch.from, stretch.to, changeDetection) : [];
    const bounds = [stretch.from, ...changes, stretch.to];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const from = bounds[k]!;
      const to = bounds[k + 1]!;
      const pieces = Math.max(1, Math.round((to - from) / segmentFrames));
      for (let p = 0; p < pieces; p++) {
        const a = from + Math.round(((to - from) * p) / pieces);
        const b = from + Math.round(((to - from) * (p + 1)) / pieces);
        if (b - a < minSegmentFrames) continue;
        const stats = emptyStats(MFCC_DIM);
        addFrames(stats, this.frames.coefficients, a, b);
        out.push({ from: a, to: b, stats });
      }
    }
    return out;
  }

  private singleSpeaker(): SpeakerTurn[] {
    return this.turns(new Int32Array(this.frames.count));
  }

  /** Runs of frames with one label; a run goes on across gaps of up to {@link MAX_JOIN_GAP_MS}. */
  private turns(labels: Int32Array): SpeakerTurn[] {
    const ordered = firstAppearanceOrder(Array.from(labels).filter((l) => l >= 0));
    const relabel = new Map<number, number>();
    let o = 0;
    for (const l of labels) if (l >= 0) relabel.set(l, ordered[o++]!);
    const turns: SpeakerTurn[] = [];
    for (const { from, to } of this.frames.stretches) {
      for (let f = from; f < to; f++) {
        if (labels[f]! < 0) continue;
        const speaker = String(relabel.get(labels[f]!)! + 1);
        const last = turns[turns.length - 1];
        if (last && last.speaker === speaker && this.frames.timeMs(f) - last.endMs <= MAX_JOIN_GAP_MS) last.endMs = this.frames.endMs(f);
        else turns.push({ startMs: this.frames.timeMs(f), endMs: this.frames.endMs(f), speaker });
      }
    }
    return turns;
  }
}
