/**
 * Cepstral mean normalisation for streamed audio. A whole utterance is
 * normalised by its own mean ("batch", what the async path does); a stream
 * can only subtract a running mean, which PocketSphinx starts from the
 * model's `-cmninit` prior and updates as audio arrives. That prior comes
 * from other recordings: on the first utterance of a session it can be far
 * off (its words then differ from the whole-utterance words), later
 * utterances inherit the session's own mean.
 *
 * So a session's first second of audio is held back, its mean estimated
 * the way live normalisation counts frames (those with energy), and the
 * decoder starts from that. The mean then follows the session as usual.
 */
import type { Pointer, PocketSphinxLibrary } from './ffi.js';

/** Audio held back at the start of a session to estimate its mean (1 frame = 10 ms). */
export const NORMALIZATION_LOOKAHEAD_MS = 1000;
/** Fewer frames with energy than this (a quiet start) leave the model's prior in place. */
const MIN_ESTIMATE_FRAMES = 30;

/** Per engine: the model's prior and a front end of its own to estimate means with. */
export class LiveNormalization {
  readonly prior: Float32Array;
  private fe: Pointer | null;
  private readonly cepstra: number;

  /** @param decoder a decoder that has not streamed yet: its live mean is still the model's prior. */
  constructor(private readonly ps: PocketSphinxLibrary, decoder: Pointer) {
    const { cmn, cepstra } = ps.decoderNormalizer(decoder);
    this.cepstra = cepstra;
    this.prior = new Float32Array(cepstra);
    ps.cmn_live_get(cmn, this.prior);
    this.fe = ps.fe_init_auto_r(ps.ps_get_config(decoder));
    if (this.fe === null) throw new Error('PocketSphinx front end could not be created (fe_init_auto_r failed)');
  }

  /**
   * The mean `decoder` should start a session with, given the session's first audio:
   * the mean of its frames with energy, or the model's prior when there are too few.
   */
  start(decoder: Pointer, samples: Int16Array): void {
    const mean = this.estimate(samples) ?? this.prior;
    this.ps.cmn_live_set(this.ps.decoderNormalizer(decoder).cmn, mean);
  }

  close(): void {
    if (this.fe !== null) this.ps.fe_free(this.fe);
    this.fe = null;
  }

  private estimate(samples: Int16Array): Float32Array | null {
    if (this.fe === null || samples.length === 0) return null;
    const cep = this.ps.cepstraOf(this.fe, samples, this.cepstra);
    const mean = new Float32Array(this.cepstra);
    let frames = 0;
    for (let at = 0; at + this.cepstra <= cep.length; at += this.cepstra) {
      // Live normalisation skips frames without energy (c0 < 0), e.g. digital silence.
      if (cep[at]! < 0) continue;
      frames++;
      for (let j = 0; j < this.cepstra; j++) mean[j] = mean[j]! + cep[at + j]!;
    }
    if (frames < MIN_ESTIMATE_FRAMES) return null;
    for (let j = 0; j < this.cepstra; j++) mean[j] = mean[j]! / frames;
    return mean;
  }
}
