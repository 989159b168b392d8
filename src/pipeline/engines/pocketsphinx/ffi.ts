/**
 * koffi binding to Debian's PocketSphinx 5prealpha shared libraries
 * (libpocketsphinx3, libsphinxbase3). Only the calls the engine makes are
 * bound; names and signatures follow pocketsphinx.h and sphinxbase's
 * cmd_ln.h, logmath.h and err.h.
 *
 * koffi 3 hands pointers to JS as BigInt and NULL as null. Out-parameters
 * are passed as Int32Array scratch buffers, which C writes in place.
 */
import koffi from 'koffi';

/** An opaque C pointer. */
export type Pointer = bigint;

export interface PocketSphinxLibrary {
  /**
   * A decoder configuration from `-name value` pairs, checked against the
   * decoder's argument definitions (`cmd_ln_init(NULL, ps_args(), TRUE, …, NULL)`,
   * which copies the strings). Null when an argument is unknown or malformed.
   */
  parseConfig(args: readonly string[]): Pointer | null;
  cmd_ln_free_r(config: Pointer): number;
  /** Loads the acoustic model, dictionary and language model (≈0.5 s, ≈100 MB). Null on failure. */
  ps_init(config: Pointer): Pointer | null;
  ps_free(decoder: Pointer): number;
  /** Resets the frame counter (word frames count from here) and the noise estimate. */
  ps_start_stream(decoder: Pointer): number;
  ps_start_utt(decoder: Pointer): number;
  /** `fullUtt` = 1 means `data` is the whole utterance: features are normalised over all of it. */
  ps_process_raw(decoder: Pointer, data: Int16Array, samples: number, noSearch: number, fullUtt: number): number;
  ps_end_utt(decoder: Pointer): number;
  /** First word segment of the current hypothesis; null when there is none. */
  ps_seg_iter(decoder: Pointer): Pointer | null;
  /** Next segment; null at the end, when the iterator has freed itself. */
  ps_seg_next(segment: Pointer): Pointer | null;
  ps_seg_word(segment: Pointer): string;
  /** First and last frame (inclusive) of the segment. */
  ps_seg_frames(segment: Pointer, startFrame: Int32Array, endFrame: Int32Array): void;
  /** Log posterior of the segment (0 when no lattice was built); the out-pointers may be null. */
  ps_seg_prob(segment: Pointer, acoustic: Int32Array | null, language: Int32Array | null, backoff: Int32Array | null): number;
  ps_get_logmath(decoder: Pointer): Pointer;
  /** Converts a value in the decoder's log base to a linear number. */
  logmath_exp(logmath: Pointer, logValue: number): number;

  // Context biasing (context-searches.ts): named searches, language model sets, dictionary words.
  ps_get_config(decoder: Pointer): Pointer;
  /** The language model (a set) of the named n-gram search; null when there is none. */
  ps_get_lm(decoder: Pointer, name: string): Pointer | null;
  /** Adds (or replaces) the named n-gram search over `lm`, which it retains. 0 on success. */
  ps_set_lm(decoder: Pointer, name: string, lm: Pointer): number;
  /** Makes the named search the one utterances are decoded with. 0 on success. */
  ps_set_search(decoder: Pointer, name: string): number;
  /** Frees the named search. 0 on success. */
  ps_unset_search(decoder: Pointer, name: string): number;
  /** The dictionary pronunciation ("D AE SH W UH D"), or null for an unknown word. */
  ps_lookup_word(decoder: Pointer, word: string): string | null;
  /** Reads a language model file (`type` 1 = ARPA) with the decoder's weights. Null on failure. */
  ngram_model_read(config: Pointer, path: string, type: number, logmath: Pointer): Pointer | null;
  /** A set that interpolates `models` (retained) with linear `weights`; null on failure. */
  ngram_model_set_init(config: Pointer, models: Pointer[], names: string[], weights: Float32Array, count: number): Pointer | null;
  /** The member model of a set by name, or null. */
  ngram_model_set_lookup(set: Pointer, name: string): Pointer | null;
  /** Releases one reference. */
  ngram_model_free(model: Pointer): number;
  /** Word id in the dictionary, or -1. */
  dict_wordid(dict: Pointer, word: string): number;
  /** Appends a word with its context-independent phone ids; returns its id, or -1. */
  dict_add_word(dict: Pointer, word: string, phones: Int16Array, count: number): number;
  /** Builds the triphone mappings a new dictionary word needs. */
  dict2pid_add_word(dict2pid: Pointer, wordId: number): number;
  /** Id of a context-independent phone ("AA") in the acoustic model, or -1. */
  bin_mdef_ciphone_id(mdef: Pointer, phone: string): number;
  bin_mdef_ciphone_str(mdef: Pointer, id: number): string | null;
  /**
   * The decoder's dictionary and triphone mappings, which the public API
   * reaches only through ps_add_word. That call also adds the word to every
   * n-gram search's language model, for good; adding words to the
   * dictionary alone keeps them out of searches that do not ask for them.
   *
   * @throws {Error} the decoder's memory layout is not the one of 5prealpha.
   */
  decoderDictionary(decoder: Pointer): { dict: Pointer; dict2pid: Pointer; mdef: Pointer };

  // Live cepstral mean normalisation (streaming): the mean a decoder subtracts, and cepstra to estimate one.
  /**
   * The decoder's cepstral mean normaliser (`ps_get_feat(ps)->cmn_struct`),
   * which only the feature struct holds.
   *
   * @throws {Error} the feature struct's layout is not the one of 5prealpha.
   */
  decoderNormalizer(decoder: Pointer): { cmn: Pointer; cepstra: number };
  /** Sets the live mean to `mean`, weighted as 500 frames of audio. */
  cmn_live_set(cmn: Pointer, mean: Float32Array): void;
  /** Copies the live mean out. */
  cmn_live_get(cmn: Pointer, mean: Float32Array): void;
  /** A front end (audio → cepstra) with the decoder configuration's settings; null on failure. */
  fe_init_auto_r(config: Pointer): Pointer | null;
  fe_free(fe: Pointer): number;
  /** Cepstra of `samples` (`cepstra` per frame), in frame order. */
  cepstraOf(fe: Pointer, samples: Int16Array, cepstra: number): Float32Array;
}

// Each worker thread has its own module instance, hence its own binding.
let library: PocketSphinxLibrary | null = null;

/**
 * Loads the libraries once per thread and silences their logging, which
 * otherwise goes to stderr for every utterance.
 *
 * @throws when the shared libraries are not installed (Debian: libpocketsphinx3).
 */
export function loadPocketSphinx(): PocketSphinxLibrary {
  if (library) return library;
  const sphinxbase = koffi.load('libsphinxbase.so.3');
  const pocketsphinx = koffi.load('libpocketsphinx.so.3');
  for (const type of ['fe_t', 'feat_t', 'cmn_t', 'cmd_ln_t', 'arg_t', 'ps_decoder_t', 'ps_seg_t', 'logmath_t', 'ngram_model_t', 'dict_t', 'dict2pid_t', 'bin_mdef_t']) {
    koffi.opaque(type);
  }

  // err_set_logfp(NULL) disables logging process-wide (a static in libsphinxbase).
  sphinxbase.func('void err_set_logfp(void *stream)')(null);

  const cmdLnInit = sphinxbase.func('cmd_ln_t *cmd_ln_init(cmd_ln_t *inout, const arg_t *defn, int strict, ...)');
  const psArgs = pocketsphinx.func('const arg_t *ps_args()');
  const f = (prototype: string) => pocketsphinx.func(prototype);
  const psGetFeat = f('feat_t *ps_get_feat(ps_decoder_t *ps)');
  const feProcessUtt = sphinxbase.func('int fe_process_utt(fe_t *fe, const int16_t *spch, size_t nsamps, _Out_ void **cep_block, _Out_ int32_t *nframes)');
  const ckdFree2d = sphinxbase.func('void ckd_free_2d(void *ptr)');

  library = {
    parseConfig(args) {
      // Variadic: every argument is spelled with its type, and a NULL ends the list.
      const variadic = args.flatMap((arg) => ['str', arg]);
      return cmdLnInit(null, psArgs(), 1, ...variadic, 'str', null) as Pointer | null;
    },
    cmd_ln_free_r: sphinxbase.func('int cmd_ln_free_r(cmd_ln_t *config)'),
    ps_init: f('ps_decoder_t *ps_init(cmd_ln_t *config)'),
    ps_free: f('int ps_free(ps_decoder_t *ps)'),
    ps_start_stream: f('int ps_start_stream(ps_decoder_t *ps)'),
    ps_start_utt: f('int ps_start_utt(ps_decoder_t *ps)'),
    ps_process_raw: f('int ps_process_raw(ps_decoder_t *ps, const int16_t *data, size_t n_samples, int no_search, int full_utt)'),
    ps_end_utt: f('int ps_end_utt(ps_decoder_t *ps)'),
    ps_seg_iter: f('ps_seg_t *ps_seg_iter(ps_decoder_t *ps)'),
    ps_seg_next: f('ps_seg_t *ps_seg_next(ps_seg_t *seg)'),
    ps_seg_word: f('const char *ps_seg_word(ps_seg_t *seg)'),
    ps_seg_frames: f('void ps_seg_frames(ps_seg_t *seg, int *out_sf, int *out_ef)'),
    ps_seg_prob: f('int ps_seg_prob(ps_seg_t *seg, int *out_ascr, int *out_lscr, int *out_lback)'),
    ps_get_logmath: f('logmath_t *ps_get_logmath(ps_decoder_t *ps)'),
    logmath_exp: sphinxbase.func('double logmath_exp(logmath_t *lmath, int logb_p)'),
    ps_get_config: f('cmd_ln_t *ps_get_config(ps_decoder_t *ps)'),
    ps_get_lm: f('ngram_model_t *ps_get_lm(ps_decoder_t *ps, const char *name)'),
    ps_set_lm: f('int ps_set_lm(ps_decoder_t *ps, const char *name, ngram_model_t *lm)'),
    ps_set_search: f('int ps_set_search(ps_decoder_t *ps, const char *name)'),
    ps_unset_search: f('int ps_unset_search(ps_decoder_t *ps, const char *name)'),
    // The string is malloc'ed by the library; '!' has koffi free it after copying.
    ps_lookup_word: f('char *! ps_lookup_word(ps_decoder_t *ps, const char *word)'),
    ngram_model_read: sphinxbase.func('ngram_model_t *ngram_model_read(cmd_ln_t *config, const char *file_name, int file_type, logmath_t *lmath)'),
    ngram_model_set_init: sphinxbase.func(
      'ngram_model_t *ngram_model_set_init(cmd_ln_t *config, ngram_model_t **models, const char **names, const float *weights, int n_models)',
    ),
    ngram_model_set_lookup: sphinxbase.func('ngram_model_t *ngram_model_set_lookup(ngram_model_t *set, const char *name)'),
    ngram_model_free: sphinxbase.func('int ngram_model_free(ngram_model_t *model)'),
    dict_wordid: f('int dict_wordid(dict_t *d, const char *word)'),
    dict_add_word: f('int dict_add_word(dict_t *d, const char *word, const int16_t *p, int np)'),
    dict2pid_add_word: f('int dict2pid_add_word(dict2pid_t *d2p, int wid)'),
    bin_mdef_ciphone_id: f('int bin_mdef_ciphone_id(bin_mdef_t *m, const char *ciphone)'),
    bin_mdef_ciphone_str: f('const char *bin_mdef_ciphone_str(bin_mdef_t *m, int ci)'),
    decoderDictionary(decoder) {
      // struct ps_decoder_s (pocketsphinx_internal.h, 5prealpha): config, refcount,
      // acmod, dict, d2p, lmath, … and dict_t starts with refcnt, mdef. The two
      // fields with public getters, at either end, confirm the layout before
      // the middle ones are trusted.
      const read = (at: Pointer, offset: number) => koffi.decode(at, offset, 'void *') as Pointer | null;
      if (read(decoder, 0) !== library!.ps_get_config(decoder) || read(decoder, 40) !== library!.ps_get_logmath(decoder)) {
        throw new Error('PocketSphinx decoder layout is not the one of 5prealpha: context terms are unavailable');
      }
      const dict = read(decoder, 24);
      const dict2pid = read(decoder, 32);
      const mdef = dict === null ? null : read(dict, 8);
      if (dict === null || dict2pid === null || mdef === null || library!.bin_mdef_ciphone_str(mdef, library!.bin_mdef_ciphone_id(mdef, 'AA')) !== 'AA') {
        throw new Error('PocketSphinx dictionary is not reachable: context terms are unavailable');
      }
      return { dict, dict2pid, mdef };
    },
    decoderNormalizer(decoder) {
      // struct feat_s (sphinxbase feat.h): int refcount; char *name; int32 cepsize;
      // … cmn_type_t cmn at 68; … cmn_t *cmn_struct at 88. struct cmn_s: three
      // mfcc_t pointers, int32 nframe, int32 veclen (at 28). Both sizes must agree.
      const feat = psGetFeat(decoder) as Pointer | null;
      const cepstra = feat === null ? 0 : (koffi.decode(feat, 16, 'int32') as number);
      const cmn = feat === null ? null : (koffi.decode(feat, 88, 'void *') as Pointer | null);
      if (cmn === null || cepstra !== 13 || koffi.decode(cmn, 28, 'int32') !== cepstra) {
        throw new Error('PocketSphinx feature layout is not the one of 5prealpha: live normalisation is unavailable');
      }
      return { cmn, cepstra };
    },
    cmn_live_set: sphinxbase.func('void cmn_live_set(cmn_t *cmn, const float *vec)'),
    cmn_live_get: sphinxbase.func('void cmn_live_get(cmn_t *cmn, _Out_ float *vec)'),
    fe_init_auto_r: sphinxbase.func('fe_t *fe_init_auto_r(cmd_ln_t *config)'),
    fe_free: sphinxbase.func('int fe_free(fe_t *fe)'),
    cepstraOf(fe, samples, cepstra) {
      const block: (Pointer | null)[] = [null];
      const frames = [0];
      if (feProcessUtt(fe, samples, samples.length, block, frames) < 0 || block[0] === null) return new Float32Array(0);
      try {
        // ckd_calloc_2d: row pointers into one contiguous block of frames × cepstra values.
        const first = frames[0]! > 0 ? (koffi.decode(block[0], 'void *') as Pointer) : null;
        return first === null ? new Float32Array(0) : Float32Array.from(koffi.decode(first, 'float', frames[0]! * cepstra) as number[]);
      } finally {
        ckdFree2d(block[0]);
      }
    },
  };
  return library;
}
