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
