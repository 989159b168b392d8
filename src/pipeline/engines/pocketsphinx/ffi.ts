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
  for (const type of ['cmd_ln_t', 'arg_t', 'ps_decoder_t', 'ps_seg_t', 'logmath_t']) koffi.opaque(type);

  // err_set_logfp(NULL) disables logging process-wide (a static in libsphinxbase).
  sphinxbase.func('void err_set_logfp(void *stream)')(null);

  const cmdLnInit = sphinxbase.func('cmd_ln_t *cmd_ln_init(cmd_ln_t *inout, const arg_t *defn, int strict, ...)');
  const psArgs = pocketsphinx.func('const arg_t *ps_args()');
  const f = (prototype: string) => pocketsphinx.func(prototype);

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
  };
  return library;
}
