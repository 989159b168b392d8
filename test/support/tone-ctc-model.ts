/**
 * A constructed speech model that sherpa-onnx really loads and runs: a CTC
 * "recogniser" whose output follows the input's spectrum, so that what it
 * hears, and when, can be asserted exactly.
 *
 * It reads sherpa's 80-bin log-mel features, keeps every fourth frame (the
 * subsampling factor sherpa assumes: one output per 40 ms), and scores each
 * token by how far the energy in its band of mel bins stands above the mean
 * of all bins; `<blk>` scores a constant. A pure tone therefore emits the
 * token of its band once (CTC collapses the repeats) at the first 40 ms step
 * it fills, and silence emits blanks, which also drive sherpa's endpoint rules.
 *
 * Tokens: `▁low` (400 Hz), `er` (1200 Hz, a sub-word that joins the word
 * before it) and `▁high` (3000 Hz): low, high+mid reads "low higher". A 6 kHz
 * `hum` is heard as nothing.
 *
 * Two directories are written, as sherpa-onnx's own archives lay them out:
 * an offline zipformer CTC model and a streaming zipformer2 CTC one (whose
 * cache states it passes through unchanged).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcmWavHeader } from '../../src/pipeline/decode/samples.test-helper.js';
import { encodeOnnxModel, FLOAT, INT64, type ModelSpec, type NodeSpec, type Tensor, type ValueSpec } from '../../src/lib/onnx-writer.js';

export const TONE_TOKENS = ['<blk>', '▁low', 'er', '▁high'] as const;
/**
 * Frequencies of the tones that sound each token, and of `hum`, a tone outside
 * every band: loud enough for an energy detector to call it speech, blank to the model.
 */
export const TONE_HZ = { low: 400, er: 1200, high: 3000, hum: 6000 } as const;

const MEL_BINS = 80;
const BLANK_SCORE = 3;
const INT64_MAX = 9_223_372_036_854_775_807n;
/** Mel bins (kaldi fbank, 20 Hz to 8 kHz) around each tone, one band per token after `<blk>`. */
const BANDS: readonly (readonly [number, number])[] = [
  [11, 15],
  [29, 33],
  [50, 55],
];
/** Streaming chunk: 32 feature frames (320 ms), 8 outputs. */
const CHUNK_FRAMES = 32;

function weights(): Tensor {
  const vocab = TONE_TOKENS.length;
  const values = new Array<number>(MEL_BINS * vocab).fill(0);
  BANDS.forEach(([from, to], band) => {
    const token = band + 1;
    for (let bin = 0; bin < MEL_BINS; bin++) {
      const inBand = bin >= from && bin < to;
      values[bin * vocab + token] = (inBand ? 1 / (to - from) : 0) - 1 / MEL_BINS;
    }
  });
  return { name: 'weights', type: FLOAT, dims: [MEL_BINS, vocab], values };
}

const shared: Tensor[] = [
  weights(),
  { name: 'bias', type: FLOAT, dims: [TONE_TOKENS.length], values: [BLANK_SCORE, 0, 0, 0] },
  { name: 'zero', type: INT64, dims: [1], values: [0n] },
  { name: 'to_end', type: INT64, dims: [1], values: [INT64_MAX] },
  { name: 'time_axis', type: INT64, dims: [1], values: [1n] },
  { name: 'four', type: INT64, dims: [1], values: [4n] },
  { name: 'three', type: INT64, dims: [], values: [3n] },
  { name: 'four_scalar', type: INT64, dims: [], values: [4n] },
];

const scoring: NodeSpec[] = [
  { op: 'Slice', inputs: ['x', 'zero', 'to_end', 'time_axis', 'four'], outputs: ['every_fourth'] },
  { op: 'MatMul', inputs: ['every_fourth', 'weights'], outputs: ['scores'] },
  { op: 'Add', inputs: ['scores', 'bias'], outputs: ['logits'] },
  { op: 'LogSoftmax', inputs: ['logits'], outputs: ['log_probs'], attributes: { axis: -1 } },
];

const logProbs: ValueSpec = { name: 'log_probs', type: FLOAT, shape: ['N', 'T_out', TONE_TOKENS.length] };

function offlineModel(): ModelSpec {
  return {
    nodes: [
      ...scoring,
      { op: 'Add', inputs: ['x_lens', 'three'], outputs: ['lens_up'] },
      { op: 'Div', inputs: ['lens_up', 'four_scalar'], outputs: ['log_probs_len'] },
    ],
    initializers: shared,
    inputs: [
      { name: 'x', type: FLOAT, shape: ['N', 'T', MEL_BINS] },
      { name: 'x_lens', type: INT64, shape: ['N'] },
    ],
    outputs: [logProbs, { name: 'log_probs_len', type: INT64, shape: ['N'] }],
    metadata: { model_type: 'zipformer2_ctc', comment: 'hark test model: tone bands to tokens' },
  };
}

/**
 * A streaming zipformer2 of one encoder stack of one layer, as small as
 * sherpa's state layout allows: six caches per layer, then the embedding
 * cache and the processed length, each passed through unchanged. `nodes`
 * compute `output` from the chunk `x`.
 */
export function zipformer2Streaming(nodes: NodeSpec[], initializers: Tensor[], output: ValueSpec): ModelSpec {
  const stateNames = ['cached_key', 'cached_nonlin_attn', 'cached_val1', 'cached_val2', 'cached_conv1', 'cached_conv2', 'embed_states', 'processed_lens'];
  const states: ValueSpec[] = stateNames.map((name, i) => ({
    name,
    type: name === 'processed_lens' ? INT64 : FLOAT,
    shape: (name === 'processed_lens' ? ['N'] : name === 'cached_nonlin_attn' || name === 'embed_states' ? ['a', 'b', 'c', 'd'] : ['a', 'b', 'c']).map((d) => (d === 'N' ? d : `${name}_${d}_${i}`)),
  }));
  return {
    nodes: [...nodes, ...stateNames.map((name) => ({ op: 'Identity', inputs: [name], outputs: [`new_${name}`] }))],
    initializers,
    inputs: [{ name: 'x', type: FLOAT, shape: ['N', CHUNK_FRAMES, MEL_BINS] }, ...states],
    outputs: [output, ...states.map((s) => ({ ...s, name: `new_${s.name}` }))],
    metadata: {
      model_type: 'zipformer2',
      encoder_dims: '4',
      query_head_dims: '1',
      value_head_dims: '1',
      num_heads: '1',
      num_encoder_layers: '1',
      cnn_module_kernels: '3',
      left_context_len: '4',
      T: String(CHUNK_FRAMES),
      decode_chunk_len: String(CHUNK_FRAMES),
    },
  };
}

export interface ToneModelDirs {
  offline: string;
  streaming: string;
}

/** Writes both model directories under `root`, each with `model.onnx`, `tokens.txt` and `hark-model.json`. */
export function writeToneModels(root: string): ToneModelDirs {
  const tokens = TONE_TOKENS.map((t, i) => `${t} ${i}`).join('\n') + '\n';
  const dirs = { offline: join(root, 'tone-ctc'), streaming: join(root, 'tone-ctc-streaming') };
  const write = (dir: string, spec: ModelSpec, id: string, family: string): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), encodeOnnxModel(spec));
    writeFileSync(join(dir, 'tokens.txt'), tokens);
    writeFileSync(join(dir, 'hark-model.json'), JSON.stringify({ id, family, languages: ['en'] }));
  };
  write(dirs.offline, offlineModel(), 'tone-ctc', 'zipformer-ctc');
  write(dirs.streaming, zipformer2Streaming(scoring, shared, logProbs), 'tone-ctc-streaming', 'zipformer2-ctc-streaming');
  return dirs;
}

export type ToneName = keyof typeof TONE_HZ;

/** A part of a test signal: a tone for `ms`, or silence. */
export interface TonePart {
  tone: ToneName | null;
  ms: number;
}

/**
 * 16 kHz s16 audio of tones and silences. Keep each part a multiple of 40 ms
 * so that each tone starts on the model's output grid.
 */
export function toneAudio(parts: readonly TonePart[], amplitude = 0.3): Int16Array {
  const total = parts.reduce((sum, p) => sum + p.ms * 16, 0);
  const samples = new Int16Array(total);
  let at = 0;
  for (const part of parts) {
    const n = part.ms * 16;
    if (part.tone !== null) {
      const hz = TONE_HZ[part.tone];
      for (let i = 0; i < n; i++) samples[at + i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / 16_000));
    }
    at += n;
  }
  return samples;
}

/** A wav file (16 kHz mono s16) of `parts`, as a client would upload or stream it. */
export function toneWav(parts: readonly TonePart[]): Buffer {
  const pcm = Buffer.from(toneAudio(parts).buffer);
  return Buffer.concat([pcmWavHeader(16_000, 1, pcm.length), pcm]);
}
