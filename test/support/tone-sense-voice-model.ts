/**
 * A constructed SenseVoice model that sherpa-onnx loads, so that the
 * language a request hints can be seen to reach the model: it "hears" the
 * language it is told, and English when told none (its stand-in for
 * detection). Its words follow the tones, as the CTC tone model's do.
 *
 * SenseVoice, as sherpa runs it: low-frame-rate features (7 fbank frames
 * stacked, a step of 6: one output per 60 ms), the language and text
 * normalisation as int32 inputs, and CTC logits whose first four frames are
 * the language, emotion, event and normalisation tokens.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeOnnxModel, FLOAT, INT32, INT64, type ModelSpec } from '../../src/lib/onnx-writer.js';

/** The languages SenseVoice knows, in sherpa's metadata keys; each one's id is its token's. */
export const SENSE_VOICE_LANGUAGES = ['zh', 'en', 'ja', 'ko', 'yue'] as const;

const TOKENS = [
  '<blk>',
  '▁low',
  'er',
  '▁high',
  '<|auto|>',
  ...SENSE_VOICE_LANGUAGES.map((l) => `<|${l}|>`),
  '<|NEUTRAL|>',
  '<|Speech|>',
  '<|withitn|>',
  '<|woitn|>',
];
const VOCAB = TOKENS.length;
const id = (token: string) => TOKENS.indexOf(token);
const MEL_BINS = 80;
const LFR_WINDOW = 7;
const LFR_SHIFT = 6;
const BANDS: readonly (readonly [number, number])[] = [
  [11, 15],
  [29, 33],
  [50, 55],
];
const BLANK_SCORE = 3;
const SPECIAL_PENALTY = -100;
const ON = 20;

function textWeights(): number[] {
  const values = new Array<number>(MEL_BINS * VOCAB).fill(0);
  BANDS.forEach(([from, to], band) => {
    for (let bin = 0; bin < MEL_BINS; bin++) values[bin * VOCAB + band + 1] = (bin >= from && bin < to ? 1 / (to - from) : 0) - 1 / MEL_BINS;
  });
  return values;
}

function oneHotRows(tokens: string[]): number[] {
  return tokens.flatMap((t) => Array.from({ length: VOCAB }, (_, i) => (i === id(t) ? ON : 0)));
}

function model(): ModelSpec {
  const textBias = TOKENS.map((t, i) => (i === 0 ? BLANK_SCORE : t.startsWith('<|') ? SPECIAL_PENALTY : 0));
  return {
    nodes: [
      // The heard language: the one given, or English for 0 ("auto").
      { op: 'Cast', inputs: ['language'], outputs: ['language64'], attributes: { to: INT64 } },
      { op: 'Equal', inputs: ['language64', 'auto_id'], outputs: ['is_auto'] },
      { op: 'Cast', inputs: ['is_auto'], outputs: ['is_auto64'], attributes: { to: INT64 } },
      { op: 'Mul', inputs: ['is_auto64', 'en_id'], outputs: ['detected'] },
      { op: 'Add', inputs: ['language64', 'detected'], outputs: ['heard'] },
      { op: 'OneHot', inputs: ['heard', 'depth', 'on_off'], outputs: ['language_row'], attributes: { axis: -1 } },
      { op: 'Unsqueeze', inputs: ['language_row', 'time_axis'], outputs: ['language_frame'] },
      { op: 'Concat', inputs: ['language_frame', 'fixed_prefix'], outputs: ['prefix'], attributes: { axis: 1 } },
      // The words: the first fbank frame of each stacked window, scored per band.
      { op: 'Slice', inputs: ['x', 'zero', 'mel_bins', 'feature_axis'], outputs: ['frame'] },
      { op: 'MatMul', inputs: ['frame', 'weights'], outputs: ['scores'] },
      { op: 'Add', inputs: ['scores', 'bias'], outputs: ['text'] },
      { op: 'Concat', inputs: ['prefix', 'text'], outputs: ['logits'], attributes: { axis: 1 } },
    ],
    initializers: [
      { name: 'auto_id', type: INT64, dims: [], values: [0n] },
      { name: 'en_id', type: INT64, dims: [], values: [BigInt(id('<|en|>'))] },
      { name: 'depth', type: INT64, dims: [], values: [BigInt(VOCAB)] },
      { name: 'on_off', type: FLOAT, dims: [2], values: [0, ON] },
      { name: 'time_axis', type: INT64, dims: [1], values: [1n] },
      { name: 'fixed_prefix', type: FLOAT, dims: [1, 3, VOCAB], values: oneHotRows(['<|NEUTRAL|>', '<|Speech|>', '<|withitn|>']) },
      { name: 'zero', type: INT64, dims: [1], values: [0n] },
      { name: 'mel_bins', type: INT64, dims: [1], values: [BigInt(MEL_BINS)] },
      { name: 'feature_axis', type: INT64, dims: [1], values: [2n] },
      { name: 'weights', type: FLOAT, dims: [MEL_BINS, VOCAB], values: textWeights() },
      { name: 'bias', type: FLOAT, dims: [VOCAB], values: textBias },
    ],
    inputs: [
      { name: 'x', type: FLOAT, shape: ['N', 'T', MEL_BINS * LFR_WINDOW] },
      { name: 'x_length', type: INT32, shape: ['N'] },
      { name: 'language', type: INT32, shape: ['N'] },
      { name: 'text_norm', type: INT32, shape: ['N'] },
    ],
    outputs: [{ name: 'logits', type: FLOAT, shape: ['N', 'T_out', VOCAB] }],
    metadata: {
      comment: 'hark test model: the language it is told, words from tone bands',
      vocab_size: String(VOCAB),
      blank_id: '0',
      lfr_window_size: String(LFR_WINDOW),
      lfr_window_shift: String(LFR_SHIFT),
      normalize_samples: '1',
      with_itn: String(id('<|withitn|>')),
      without_itn: String(id('<|woitn|>')),
      lang_auto: '0',
      ...Object.fromEntries(SENSE_VOICE_LANGUAGES.map((l) => [`lang_${l}`, String(id(`<|${l}|>`))])),
      neg_mean: new Array(MEL_BINS * LFR_WINDOW).fill('0').join(','),
      inv_stddev: new Array(MEL_BINS * LFR_WINDOW).fill('1').join(','),
    },
  };
}

/** Writes `model.onnx`, `tokens.txt` and `hark-model.json` (family sense-voice) into `dir`. */
export function writeToneSenseVoice(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), encodeOnnxModel(model()));
  writeFileSync(join(dir, 'tokens.txt'), TOKENS.map((t, i) => `${t} ${i}`).join('\n') + '\n');
  writeFileSync(join(dir, 'hark-model.json'), JSON.stringify({ id: 'tone-sense-voice', family: 'sense-voice', languages: [...SENSE_VOICE_LANGUAGES] }));
  return dir;
}
