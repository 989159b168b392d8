// The speaker embedding network on real voices; the diarizers that use it
// are scored on conversations in test/pipeline/diarization-evaluation.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VOICES, type VoiceName, decodeClip } from '../../../test/support/conversations.js';
import { XVECTOR_FEATURE_DIM, downsampleTo8k, kaldiMfcc, slidingMeanNormalize } from './kaldi-mfcc.js';
import { type KaldiMatrix, type KaldiNnet3, readKaldiNnet3 } from './kaldi-nnet3.js';
import { SPEAKER_MODEL_DIR } from './speaker-model.js';
import { XVECTOR_FRAME_STRIDE, XvectorNetwork } from './xvector-network.js';

// Two men (the LibriVox reader, Carlo) and two women (the ALSA voice, Allison), wideband and telephone.
const VOICE_NAMES: VoiceName[] = ['librivox', 'alsa', 'allison', 'carlo'];
const CLIPS_PER_VOICE = 2;
/** 1.5 s windows every 0.75 s, as diarization embeds them; a shorter clip is one window. */
const WINDOW = 150;
const SHIFT = 75;
/** The first 8 s of a clip are plenty (the LibriVox clips are longer). */
const MAX_SAMPLES = 8 * 16_000;

/** The network's input for `samples` (16 kHz): 8 kHz MFCCs with the sliding mean removed. */
function featuresOf(samples: Int16Array) {
  const { count, features } = kaldiMfcc(downsampleTo8k(samples));
  slidingMeanNormalize(features, count);
  return { count, features };
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The frame-level layers and the frames each splices (their config lines, checked in kaldi-nnet3.test.ts). */
const TDNN = [
  { name: 'tdnn1', offsets: [-2, -1, 0, 1, 2] },
  { name: 'tdnn2', offsets: [-2, 0, 2] },
  { name: 'tdnn3', offsets: [-3, 0, 3] },
  { name: 'tdnn4', offsets: [0] },
  { name: 'tdnn5', offsets: [0] },
];

/**
 * The output of tdnn5 at frame `t`, computed the way Kaldi writes the
 * network down: each layer an affine map of its input's spliced frames, a
 * ReLU, and batch norm with the stored statistics. Frames before the first
 * and after the last repeat those.
 */
function directFrameOutput(nnet: KaldiNnet3, features: Float32Array, count: number, t: number): Float64Array {
  const field = (component: string, tag: string) => nnet.components.get(component)!.fields.get(tag);
  const memo = new Map<string, Float64Array>();
  const output = (layer: number, frame: number): Float64Array => {
    if (layer < 0) {
      const row = Math.min(Math.max(frame, 0), count - 1) * XVECTOR_FEATURE_DIM;
      return Float64Array.from(features.subarray(row, row + XVECTOR_FEATURE_DIM));
    }
    const key = `${layer}@${frame}`;
    const known = memo.get(key);
    if (known) return known;
    const { name, offsets } = TDNN[layer]!;
    const spliced = offsets.flatMap((o) => [...output(layer - 1, frame + o)]);
    const linear = field(`${name}.affine`, 'LinearParams') as KaldiMatrix;
    const bias = field(`${name}.affine`, 'BiasParams') as Float32Array;
    const mean = field(`${name}.batchnorm`, 'StatsMean') as Float32Array;
    const variance = field(`${name}.batchnorm`, 'StatsVar') as Float32Array;
    const epsilon = field(`${name}.batchnorm`, 'Epsilon') as number;
    const targetRms = field(`${name}.batchnorm`, 'TargetRms') as number;
    assert.equal(linear.cols, spliced.length);
    const out = new Float64Array(linear.rows);
    for (let r = 0; r < linear.rows; r++) {
      let acc = bias[r]!;
      for (let c = 0; c < linear.cols; c++) acc += linear.data[r * linear.cols + c]! * spliced[c]!;
      out[r] = ((Math.max(acc, 0) - mean[r]!) * targetRms) / Math.sqrt(variance[r]! + epsilon);
    }
    memo.set(key, out);
    return out;
  };
  return output(TDNN.length - 1, t);
}

interface Window {
  voice: VoiceName;
  clip: number;
  vector: Float32Array;
}

describe('XvectorNetwork', () => {
  it('embeds windows of speech as unit vectors in which one voice is nearer itself than other voices', (t) => {
    const network = XvectorNetwork.load(SPEAKER_MODEL_DIR);
    assert.equal(network.dim, 128);
    const windows: Window[] = [];
    for (const voice of VOICE_NAMES) {
      const clips = VOICES[voice].clips().slice(0, CLIPS_PER_VOICE);
      assert.equal(clips.length, CLIPS_PER_VOICE, `${voice}: ${CLIPS_PER_VOICE} recordings`);
      clips.forEach((path, clip) => {
        const { count, features } = featuresOf(decodeClip(path).subarray(0, MAX_SAMPLES));
        const outputs = network.frames(features, count);
        const length = Math.min(WINDOW, count);
        const steps = Math.ceil((count - length) / SHIFT);
        for (let w = 0; w <= steps; w++) {
          const from = steps === 0 ? 0 : Math.round(((count - length) * w) / steps);
          windows.push({ voice, clip, vector: network.embed(outputs, from, from + length) });
        }
      });
    }
    for (const { vector } of windows) {
      assert.equal(vector.length, 128);
      assert.ok(vector.every(Number.isFinite));
      assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-4, `norm ${Math.hypot(...vector)}`);
    }
    // Same voice: windows of its two different recordings, never the same samples twice.
    const same = new Map<VoiceName, number[]>(VOICE_NAMES.map((v) => [v, []]));
    const different = new Map<string, number[]>();
    for (let i = 0; i < windows.length; i++) {
      for (let j = i + 1; j < windows.length; j++) {
        const a = windows[i]!;
        const b = windows[j]!;
        if (a.voice === b.voice) {
          if (a.clip !== b.clip) same.get(a.voice)!.push(cosine(a.vector, b.vector));
        } else {
          const pair = [a.voice, b.voice].sort().join('–');
          different.set(pair, [...(different.get(pair) ?? []), cosine(a.vector, b.vector)]);
        }
      }
    }
    const sameMean = mean([...same.values()].flat());
    const differentMean = mean([...different.values()].flat());
    const figures = [...same].map(([v, c]) => `${v} ${mean(c).toFixed(3)}`).concat([...different].map(([p, c]) => `${p} ${mean(c).toFixed(3)}`));
    t.diagnostic(`${windows.length} windows; mean cosine same voice ${sameMean.toFixed(3)}, different ${differentMean.toFixed(3)}; ${figures.join(', ')}`);
    // Measured: 0.532 and 0.208.
    assert.ok(sameMean - differentMean > 0.2, `same ${sameMean} vs different ${differentMean}`);
    // And voice by voice: nearer its own other recording than any other voice (measured: by 0.2 at least, Carlo against Allison).
    for (const [voice, cosines] of same) {
      for (const [pair, others] of different) {
        if (pair.split('–').includes(voice)) assert.ok(mean(cosines) > mean(others) + 0.1, `${voice} ${mean(cosines)} vs ${pair} ${mean(others)}`);
      }
    }
  });

  it("gives one frame-level output per stride of input frames, from its own context only, as Kaldi's layers compute it", () => {
    const network = XvectorNetwork.load(SPEAKER_MODEL_DIR);
    const { count, features } = featuresOf(decodeClip(VOICES.librivox.clips()[0]!).subarray(0, 4 * 16_000));
    for (const n of [1, 7, 150, 301]) {
      const outputs = network.frames(features, n);
      assert.equal(outputs.stride, XVECTOR_FRAME_STRIDE);
      assert.equal(outputs.count, Math.ceil(n / outputs.stride), `${n} frames`);
      assert.equal(outputs.dim, 1500);
      assert.equal(outputs.data.length, outputs.count * outputs.dim);
    }
    // An output away from the ends depends on its frame's context (7 frames each side) and not on where the stretch
    // starts: the same frames inside a longer stretch give the same outputs.
    const whole = network.frames(features, count);
    const { left, right } = network.context;
    assert.deepEqual([left, right], [7, 7]);
    const from = 60 * XVECTOR_FRAME_STRIDE;
    const part = network.frames(features.subarray(from * XVECTOR_FEATURE_DIM), 200);
    const first = Math.ceil(left / part.stride);
    const last = Math.floor((200 - right) / part.stride);
    let largest = 0;
    for (let u = first; u < last; u++) {
      for (let c = 0; c < part.dim; c++) {
        const difference = Math.abs(part.data[u * part.dim + c]! - whole.data[(u + from / whole.stride) * whole.dim + c]!);
        largest = Math.max(largest, difference);
      }
    }
    assert.ok(largest < 1e-3, `largest difference ${largest}`);
    // The ONNX graph computes what Kaldi's layers do: in the middle, and at both ends, where frames repeat.
    const nnet = readKaldiNnet3(readFileSync(join(SPEAKER_MODEL_DIR, 'final.ext.raw')));
    for (const u of [0, 1, part.count >> 1, part.count - 1]) {
      const expected = directFrameOutput(nnet, features.subarray(from * XVECTOR_FEATURE_DIM), 200, u * part.stride);
      let error = 0;
      for (let c = 0; c < part.dim; c++) error = Math.max(error, Math.abs(part.data[u * part.dim + c]! - expected[c]!));
      assert.ok(error < 1e-3, `output ${u}: largest difference ${error} from the direct computation`);
    }
    // A window's embedding is then the same wherever its stretch began.
    const a = network.embed(part, 20, 170);
    const b = network.embed(whole, from + 20, from + 170);
    assert.ok(cosine(a, b) > 0.99, `cosine ${cosine(a, b)}`);
  });
});
