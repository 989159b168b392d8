/**
 * A constructed transducer (encoder, decoder, joiner) that sherpa-onnx loads
 * and decodes with modified beam search, so that hotwords can be shown to
 * change what it hears: the honest test of contextual biasing on a machine
 * without real weights.
 *
 * The encoder reads sherpa's 80-bin log-mel features every fourth frame and
 * scores each token by how much the energy in its band (above the mean of
 * all bins, clipped) ROSE since the previous output step, so a tone emits its token once, at its onset (a
 * transducer does not collapse repeats as CTC does); blank scores a constant.
 * The decoder's output is all zeros and the joiner adds it to the encoder's,
 * so the joiner's logits are the encoder's scores.
 *
 * Two tokens share the 3000 Hz band: `▁high` and `▁hi`, with `▁hi` scored
 * {@link HI_PENALTY} lower. Without hotwords a 3000 Hz tone reads "high";
 * with the hotword "hi" (boost 1.5 a token, sherpa's default) it reads "hi".
 *
 * Two directories, as sherpa's archives lay them out: an offline transducer
 * (icefall's layout) and a streaming zipformer2 transducer, whose caches
 * pass through unchanged. Both ship a `bpe.vocab` so hotwords can be given
 * as words.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeOnnxModel, FLOAT, INT64, type ModelSpec, type NodeSpec, type Tensor, type ValueSpec } from '../../src/lib/onnx-writer.js';
import { zipformer2Streaming } from './tone-ctc-model.js';

export const TRANSDUCER_TOKENS = ['<blk>', '▁low', 'er', '▁high', '▁hi'] as const;
/** How much less likely `▁hi` is than `▁high` on a 3000 Hz onset (a log-probability). */
export const HI_PENALTY = 0.3;

const MEL_BINS = 80;
const VOCAB = TRANSDUCER_TOKENS.length;
const BLANK_SCORE = 6;
/**
 * Band energy is clipped to 0..SATURATION before the rise is taken: a tone's
 * first step, whose window is only partly in the tone, already reaches it,
 * so the next step shows no second rise.
 */
const SATURATION = 10;
const CONTEXT_SIZE = 2;
const INT64_MAX = 9_223_372_036_854_775_807n;
/** Mel bins around each tone (see tone-ctc-model.ts), per token after `<blk>`. */
const BANDS: readonly (readonly [number, number])[] = [
  [11, 15],
  [29, 33],
  [50, 55],
  [50, 55],
];
const CHUNK_FRAMES = 32;

function bandWeights(): Tensor {
  const values = new Array<number>(MEL_BINS * VOCAB).fill(0);
  BANDS.forEach(([from, to], band) => {
    const token = band + 1;
    for (let bin = 0; bin < MEL_BINS; bin++) values[bin * VOCAB + token] = (bin >= from && bin < to ? 1 / (to - from) : 0) - 1 / MEL_BINS;
  });
  return { name: 'weights', type: FLOAT, dims: [MEL_BINS, VOCAB], values };
}

const encoderTensors: Tensor[] = [
  bandWeights(),
  { name: 'bias', type: FLOAT, dims: [VOCAB], values: [BLANK_SCORE, 0, 0, 0, -HI_PENALTY] },
  { name: 'saturation', type: FLOAT, dims: [], values: [SATURATION] },
  { name: 'zero', type: INT64, dims: [1], values: [0n] },
  { name: 'one', type: INT64, dims: [1], values: [1n] },
  { name: 'minus_one', type: INT64, dims: [1], values: [-1n] },
  { name: 'to_end', type: INT64, dims: [1], values: [INT64_MAX] },
  { name: 'time_axis', type: INT64, dims: [1], values: [1n] },
  { name: 'four', type: INT64, dims: [1], values: [4n] },
  { name: 'three', type: INT64, dims: [], values: [3n] },
  { name: 'four_scalar', type: INT64, dims: [], values: [4n] },
];

/** Band energy at each output step minus that of the step before (the first step: 0, no onset). */
const onsetScoring: NodeSpec[] = [
  { op: 'Slice', inputs: ['x', 'zero', 'to_end', 'time_axis', 'four'], outputs: ['every_fourth'] },
  { op: 'MatMul', inputs: ['every_fourth', 'weights'], outputs: ['raw_band'] },
  { op: 'Relu', inputs: ['raw_band'], outputs: ['loud_band'] },
  { op: 'Min', inputs: ['loud_band', 'saturation'], outputs: ['band'] },
  { op: 'Slice', inputs: ['band', 'zero', 'one', 'time_axis'], outputs: ['first'] },
  { op: 'Slice', inputs: ['band', 'zero', 'minus_one', 'time_axis'], outputs: ['all_but_last'] },
  { op: 'Concat', inputs: ['first', 'all_but_last'], outputs: ['previous'], attributes: { axis: 1 } },
  { op: 'Sub', inputs: ['band', 'previous'], outputs: ['rise'] },
  { op: 'Add', inputs: ['rise', 'bias'], outputs: ['encoder_out'] },
];

const encoderOut: ValueSpec = { name: 'encoder_out', type: FLOAT, shape: ['N', 'T_out', VOCAB] };

function offlineEncoder(): ModelSpec {
  return {
    nodes: [
      ...onsetScoring,
      { op: 'Add', inputs: ['x_lens', 'three'], outputs: ['lens_up'] },
      { op: 'Div', inputs: ['lens_up', 'four_scalar'], outputs: ['encoder_out_lens'] },
    ],
    initializers: encoderTensors,
    inputs: [
      { name: 'x', type: FLOAT, shape: ['N', 'T', MEL_BINS] },
      { name: 'x_lens', type: INT64, shape: ['N'] },
    ],
    outputs: [encoderOut, { name: 'encoder_out_lens', type: INT64, shape: ['N'] }],
    metadata: { model_type: 'zipformer', comment: 'hark test model: tone onsets to tokens' },
  };
}

/** The last tokens in, zeros out: the joiner's logits are the encoder's alone. */
function decoder(): ModelSpec {
  return {
    nodes: [
      { op: 'Cast', inputs: ['y'], outputs: ['y_float'], attributes: { to: FLOAT } },
      { op: 'MatMul', inputs: ['y_float', 'nothing'], outputs: ['decoder_out'] },
    ],
    initializers: [{ name: 'nothing', type: FLOAT, dims: [CONTEXT_SIZE, VOCAB], values: new Array<number>(CONTEXT_SIZE * VOCAB).fill(0) }],
    inputs: [{ name: 'y', type: INT64, shape: ['N', CONTEXT_SIZE] }],
    outputs: [{ name: 'decoder_out', type: FLOAT, shape: ['N', VOCAB] }],
    metadata: { context_size: String(CONTEXT_SIZE), vocab_size: String(VOCAB) },
  };
}

function joiner(): ModelSpec {
  return {
    nodes: [{ op: 'Add', inputs: ['encoder_out', 'decoder_out'], outputs: ['logit'] }],
    initializers: [],
    inputs: [
      { name: 'encoder_out', type: FLOAT, shape: ['N', VOCAB] },
      { name: 'decoder_out', type: FLOAT, shape: ['N', VOCAB] },
    ],
    outputs: [{ name: 'logit', type: FLOAT, shape: ['N', VOCAB] }],
    metadata: { joiner_dim: String(VOCAB) },
  };
}

export interface ToneTransducerDirs {
  offline: string;
  streaming: string;
}

/**
 * Writes both directories under `root`: encoder/decoder/joiner `.onnx`, `tokens.txt`,
 * `bpe.vocab` (sentencepiece's piece-and-score list, which sherpa encodes hotwords with)
 * and `hark-model.json`.
 */
export function writeToneTransducers(root: string): ToneTransducerDirs {
  const dirs = { offline: join(root, 'tone-transducer'), streaming: join(root, 'tone-transducer-streaming') };
  const tokens = TRANSDUCER_TOKENS.map((t, i) => `${t} ${i}`).join('\n') + '\n';
  // Whole-word pieces score higher than letters, so "high" encodes as ▁high and "hi" as ▁hi.
  const vocab = TRANSDUCER_TOKENS.map((t, i) => `${t}\t${i === 0 ? 0 : -1}`).join('\n') + '\n';
  const write = (dir: string, encoder: ModelSpec, id: string, family: string): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'encoder.onnx'), encodeOnnxModel(encoder));
    writeFileSync(join(dir, 'decoder.onnx'), encodeOnnxModel(decoder()));
    writeFileSync(join(dir, 'joiner.onnx'), encodeOnnxModel(joiner()));
    writeFileSync(join(dir, 'tokens.txt'), tokens);
    writeFileSync(join(dir, 'bpe.vocab'), vocab);
    writeFileSync(join(dir, 'hark-model.json'), JSON.stringify({ id, family, languages: ['en'] }));
  };
  write(dirs.offline, offlineEncoder(), 'tone-transducer', 'zipformer-transducer');
  write(dirs.streaming, zipformer2Streaming(onsetScoring, encoderTensors, encoderOut), 'tone-transducer-streaming', 'zipformer-transducer-streaming');
  return dirs;
}
