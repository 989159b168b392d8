/**
 * What selects and configures an engine: plain data, so it travels as JSON
 * to the worker processes that load the engine (jobs/*-worker.ts). The
 * config module fills it from `HARK_ENGINE` and the engine's own variables;
 * engine-registry.ts turns it into an engine.
 */
import type { PocketSphinxModel } from './pocketsphinx/model.js';

export interface PocketSphinxSettings {
  id: 'pocketsphinx';
  /** Model files; default Debian's en-us. */
  model?: PocketSphinxModel;
  /** Further `-name value` decoder settings (the live fast pass narrows its search). */
  decoderArgs?: string[];
  /** Context searches a recognizer keeps built (see PocketSphinxEngineOptions). */
  contextSearches?: number;
}

export type EngineSettings = PocketSphinxSettings;

export type EngineId = EngineSettings['id'];

/** The names `HARK_ENGINE` accepts. */
export const ENGINE_IDS: readonly EngineId[] = ['pocketsphinx'];

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = { id: 'pocketsphinx' };
