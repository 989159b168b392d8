import type { EngineCapabilities } from '../speech-engine.js';

/** Where a PocketSphinx model's files live. */
export interface PocketSphinxModel {
  /** Acoustic model directory (holds mdef, means, …). */
  hmm: string;
  /** Language model (ARPA or binary). */
  lm: string;
  /** Pronunciation dictionary. */
  dict: string;
}

/** US English, as installed by Debian's `pocketsphinx-en-us` package. */
export const DEFAULT_POCKETSPHINX_MODEL: Readonly<PocketSphinxModel> = {
  hmm: '/usr/share/pocketsphinx/model/en-us/en-us',
  lm: '/usr/share/pocketsphinx/model/en-us/en-us.lm.bin',
  dict: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict',
};

/** What the PocketSphinx engine declares (pocketsphinx-engine.ts), known before it loads. */
export const POCKETSPHINX_CAPABILITIES: Readonly<EngineCapabilities> = {
  streaming: true,
  batch: true,
  wordTimestamps: true,
  // Lattice posteriors (pocketsphinx-engine.ts, segments()).
  confidences: true,
  languages: ['en'],
  languageIdentification: false,
  context: 'bias',
  // One decoder decodes synchronously: a second call in flight would only wait.
  batchConcurrency: 1,
};
