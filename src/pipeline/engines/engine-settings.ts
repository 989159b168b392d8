/**
 * What selects and configures an engine: plain data, so it travels as JSON
 * to the worker processes that load the engine (jobs/*-worker.ts). The
 * config module fills it from `HARK_ENGINE` and the engine's own variables;
 * engine-registry.ts turns it into an engine.
 */
import type { PocketSphinxModel } from './pocketsphinx/model.js';
import type { SherpaModel } from './sherpa-onnx/model-files.js';

export interface PocketSphinxSettings {
  id: 'pocketsphinx';
  /** Model files; default Debian's en-us. */
  model?: PocketSphinxModel;
  /** Further `-name value` decoder settings (the live fast pass narrows its search). */
  decoderArgs?: string[];
  /** Context searches a recognizer keeps built (see PocketSphinxEngineOptions). */
  contextSearches?: number;
}

export interface SherpaOnnxSettings {
  id: 'sherpa-onnx';
  /** The model directory HARK_ENGINE_MODEL names, resolved and described (its hark-model.json). */
  model: SherpaModel;
}

export type EngineSettings = PocketSphinxSettings | SherpaOnnxSettings;

export type EngineId = EngineSettings['id'];

/** The names `HARK_ENGINE` accepts. */
export const ENGINE_IDS: readonly EngineId[] = ['pocketsphinx', 'sherpa-onnx'];

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = { id: 'pocketsphinx' };
