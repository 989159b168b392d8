/**
 * Which files of a model directory sherpa-onnx loads, per model family, and
 * the recognizer configuration that names them. Everything is checked here,
 * before the native library sees it: sherpa-onnx ends the whole process on
 * some configuration errors instead of returning one.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelDirectoryError, modelsDir, readModelDescription, type ModelDescription } from '../../../services/speech-models/installed-models.js';
import type { ModelFamily } from '../../../services/speech-models/model-catalogue.js';

export const STREAMING_FAMILIES: ReadonlySet<ModelFamily> = new Set(['zipformer-transducer-streaming', 'zipformer2-ctc-streaming']);

/**
 * Families whose decoder sherpa-onnx can bias with hotwords: transducers, under modified beam search.
 * CTC models, Whisper, SenseVoice and Moonshine take none.
 */
export const HOTWORD_FAMILIES: ReadonlySet<ModelFamily> = new Set(['zipformer-transducer-streaming', 'zipformer-transducer', 'nemo-transducer']);

/** Families told which language to expect; the rest are one language, or detect it themselves only. */
export const LANGUAGE_HINT_FAMILIES: ReadonlySet<ModelFamily> = new Set(['whisper', 'sense-voice']);

/** sentencepiece's piece-and-score list, with which sherpa turns hotword text into the model's tokens. */
export const HOTWORD_VOCABULARY = 'bpe.vocab';

/**
 * True when the model takes hotwords: a transducer whose directory holds {@link HOTWORD_VOCABULARY}.
 * Without it sherpa could take hotwords only as token sequences, which Hark does not write.
 */
export function takesHotwords(model: ModelDescription & { dir?: string }): boolean {
  return HOTWORD_FAMILIES.has(model.family) && model.dir !== undefined && existsSync(join(model.dir, HOTWORD_VOCABULARY));
}

/** Log-probability added to each token of a hotword (sherpa-onnx's own default). */
export const HOTWORD_BOOST = 1.5;

/** Modified beam search over `model`'s BPE vocabulary, which hotwords need; greedy search otherwise. */
function decoding(model: SherpaModel): { decodingMethod: string; maxActivePaths?: number; hotwordsScore?: number } {
  return takesHotwords(model) ? { decodingMethod: 'modified_beam_search', maxActivePaths: 4, hotwordsScore: HOTWORD_BOOST } : { decodingMethod: 'greedy_search' };
}

function hotwordUnits(model: SherpaModel): Record<string, string> {
  return takesHotwords(model) ? { modelingUnit: 'bpe', bpeVocab: join(model.dir, HOTWORD_VOCABULARY) } : {};
}

/** A model directory and what it holds. */
export interface SherpaModel extends ModelDescription {
  dir: string;
  streaming: boolean;
}

/**
 * The model `setting` names: an installed model id (`hark models list`) or a directory path.
 * @throws ModelDirectoryError when it is not installed, or its description is missing or wrong.
 */
export function resolveSherpaModel(setting: string, dataDir: string): SherpaModel {
  const byPath = setting.includes('/') || setting.startsWith('.');
  const dir = byPath ? resolve(setting) : join(modelsDir(dataDir), setting);
  if (!existsSync(dir)) {
    throw new ModelDirectoryError(
      byPath ? `Model directory ${dir} does not exist` : `Model ${setting} is not installed in ${modelsDir(dataDir)}: run "hark models pull ${setting}", or see "hark models list"`,
    );
  }
  const description = readModelDescription(dir);
  return { ...description, dir, streaming: STREAMING_FAMILIES.has(description.family) };
}

/** The one `.onnx` file whose name matches `pattern`, preferring the int8 build when both are there. */
function onnxFile(dir: string, pattern: RegExp, what: string): string {
  const matches = readdirSync(dir).filter((name) => name.endsWith('.onnx') && pattern.test(name));
  const choice = matches.find((name) => name.includes('.int8.')) ?? matches.sort()[0];
  if (choice === undefined) throw new ModelDirectoryError(`${dir} has no ${what} (a file like ${pattern.source.replace(/\\/g, '')}*.onnx)`);
  return join(dir, choice);
}

function tokensFile(dir: string): string {
  const name = readdirSync(dir).find((file) => file === 'tokens.txt') ?? readdirSync(dir).find((file) => file.endsWith('tokens.txt'));
  if (name === undefined) throw new ModelDirectoryError(`${dir} has no tokens.txt`);
  return join(dir, name);
}

const FEATURES = { sampleRate: 16_000, featureDim: 80 };

/**
 * sherpa-onnx-node's OnlineRecognizer configuration for a streaming model. `hotwordsFile`: phrases to
 * boost, one a line; the Node binding takes hotwords per recognizer only, not per stream.
 */
export function onlineRecognizerConfig(model: SherpaModel, endpoint: { rule1Ms: number; rule2Ms: number; rule3Ms: number }, hotwordsFile: string | null = null): Record<string, unknown> {
  const { dir } = model;
  const modelConfig: Record<string, unknown> = { tokens: tokensFile(dir), numThreads: 1, debug: 0, provider: 'cpu', ...hotwordUnits(model) };
  if (model.family === 'zipformer-transducer-streaming') {
    modelConfig.transducer = { encoder: onnxFile(dir, /^encoder/, 'encoder'), decoder: onnxFile(dir, /^decoder/, 'decoder'), joiner: onnxFile(dir, /^joiner/, 'joiner') };
  } else if (model.family === 'zipformer2-ctc-streaming') {
    modelConfig.zipformer2Ctc = { model: onnxFile(dir, /(^model|ctc)/, 'CTC model') };
  } else {
    throw new ModelDirectoryError(`${model.id} (${model.family}) is not a streaming model`);
  }
  return {
    featConfig: FEATURES,
    modelConfig,
    ...decoding(model),
    ...(hotwordsFile === null ? {} : { hotwordsFile }),
    enableEndpoint: 1,
    rule1MinTrailingSilence: endpoint.rule1Ms / 1000,
    rule2MinTrailingSilence: endpoint.rule2Ms / 1000,
    rule3MinUtteranceLength: endpoint.rule3Ms / 1000,
  };
}

/**
 * sherpa-onnx-node's OfflineRecognizer configuration for any model (a streaming one is decoded whole by
 * its online recognizer instead). `language`: the one to expect, for Whisper and SenseVoice, if the model
 * has it; null: the model detects it. Hotwords are given per stream (OfflineRecognizer.createStream).
 */
export function offlineRecognizerConfig(model: SherpaModel, language: string | null): Record<string, unknown> {
  const { dir } = model;
  const modelConfig: Record<string, unknown> = { tokens: tokensFile(dir), numThreads: 1, debug: 0, provider: 'cpu', ...hotwordUnits(model) };
  const told = language !== null && model.languages.includes(language) ? language : null;
  switch (model.family) {
    case 'zipformer-ctc':
      modelConfig.zipformerCtc = { model: onnxFile(dir, /(^model|ctc)/, 'CTC model') };
      break;
    case 'whisper':
      modelConfig.whisper = {
        encoder: onnxFile(dir, /encoder/, 'encoder'),
        decoder: onnxFile(dir, /decoder/, 'decoder'),
        // Empty: multilingual Whisper detects the language itself (an English-only one takes none).
        language: model.languages.length > 1 ? (told ?? '') : '',
        task: 'transcribe',
      };
      break;
    case 'sense-voice':
      modelConfig.senseVoice = { model: onnxFile(dir, /^model/, 'model'), language: told ?? 'auto', useInverseTextNormalization: 1 };
      break;
    case 'zipformer-transducer':
      modelConfig.transducer = { encoder: onnxFile(dir, /^encoder/, 'encoder'), decoder: onnxFile(dir, /^decoder/, 'decoder'), joiner: onnxFile(dir, /^joiner/, 'joiner') };
      modelConfig.modelType = 'transducer';
      break;
    case 'nemo-transducer':
      modelConfig.transducer = { encoder: onnxFile(dir, /^encoder/, 'encoder'), decoder: onnxFile(dir, /^decoder/, 'decoder'), joiner: onnxFile(dir, /^joiner/, 'joiner') };
      modelConfig.modelType = 'nemo_transducer';
      break;
    case 'moonshine':
      modelConfig.moonshine = {
        preprocessor: onnxFile(dir, /^preprocess/, 'preprocessor'),
        encoder: onnxFile(dir, /^encode/, 'encoder'),
        uncachedDecoder: onnxFile(dir, /^uncached_decode/, 'uncached decoder'),
        cachedDecoder: onnxFile(dir, /^cached_decode/, 'cached decoder'),
      };
      break;
    default:
      throw new ModelDirectoryError(`${model.id} (${model.family}) is decoded by its streaming recognizer`);
  }
  return { featConfig: FEATURES, modelConfig, ...decoding(model) };
}
