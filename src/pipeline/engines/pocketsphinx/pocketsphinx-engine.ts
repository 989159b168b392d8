/**
 * PocketSphinx as a {@link SpeechEngine}, called in-process through koffi.
 *
 * A decoder holds the whole model (≈100 MB, ≈0.5 s to load), so the engine
 * keeps one idle decoder and lends it to each recognizer in turn. Batch
 * decoding leaves no state behind in a decoder, streaming does (see
 * {@link PocketSphinxRecognizer.process}); a decoder that streamed is
 * therefore freed rather than lent again. One engine belongs to one thread.
 *
 * A recognizer's context (terms, domain text) is a search of its own on the
 * decoder (context-searches.ts); a decoder goes back to its default search,
 * and frees its context searches, before it is lent again.
 */
import { existsSync } from 'node:fs';
import type { RecognitionContext } from '../../context/recognition-context.js';
import type {
  BatchEngine,
  BatchRecognizer,
  EngineCapabilities,
  PartialWord,
  RecognizedWord,
  StreamingEngine,
  StreamingRecognizer,
} from '../speech-engine.js';
import { PocketSphinxBatchRecognizer } from './batch-recognizer.js';
import { type ActiveContext, ContextSearches } from './context-searches.js';
import { type Pointer, type PocketSphinxLibrary, loadPocketSphinx } from './ffi.js';
import { LiveNormalization, NORMALIZATION_LOOKAHEAD_MS } from './live-normalization.js';
import { DEFAULT_POCKETSPHINX_MODEL, POCKETSPHINX_CAPABILITIES, type PocketSphinxModel } from './model.js';
import { type DecoderSegment, toPartialWords, toRecognizedWords } from './segments.js';

/**
 * Decoder settings beyond the model files:
 * - `-remove_silence no`: PocketSphinx's own voice activity detector would
 *   drop frames; our segmenter decides what to decode, and batch decoding of
 *   a whole utterance crashes the 5prealpha library when it is on.
 * - `-bestpath yes`: build the word lattice at the end of an utterance; word
 *   posteriors (our confidences) exist only with it.
 */
const DECODER_ARGS = ['-remove_silence', 'no', '-bestpath', 'yes'];
/** A recognizer serves one job or session at a time, so one context search (≈40 MB) is enough. */
const CONTEXT_SEARCHES = 1;

/**
 * A decoder lent to one user: streaming calls as the seam's
 * {@link StreamingRecognizer}, and a synchronous whole-utterance decode that
 * {@link PocketSphinxBatchRecognizer} turns into the seam's batch call.
 */
export interface Recognizer extends StreamingRecognizer {
  setContext(context: RecognitionContext | null): void;
  /** Recognise one complete utterance; not while a streamed utterance is open. */
  recognize(samples: Int16Array, offsetMs: number): RecognizedWord[];
}

export class PocketSphinxEngine implements BatchEngine, StreamingEngine {
  readonly id = 'pocketsphinx';
  readonly capabilities: EngineCapabilities = POCKETSPHINX_CAPABILITIES;
  private readonly ps: PocketSphinxLibrary;
  private config: Pointer | null;
  private idle: Pointer | null;
  private readonly searches = new Map<Pointer, ContextSearches>();
  private readonly normalization: LiveNormalization;

  /**
   * Loads the model and one decoder now, so a bad model fails at start-up
   * and the first job does not wait.
   *
   * @param decoderArgs further `-name value` decoder settings, after ours
   *   (e.g. narrower search beams for a faster, less accurate decoder).
   * @throws {Error} a model file is missing or PocketSphinx rejects the model.
   * @example const engine = new PocketSphinxEngine(); // Debian's en-us model
   */
  constructor(
    model: PocketSphinxModel = DEFAULT_POCKETSPHINX_MODEL,
    decoderArgs: readonly string[] = [],
  ) {
    for (const [name, path] of Object.entries(model)) {
      if (!existsSync(path)) throw new Error(`PocketSphinx model: ${name} not found at ${path}`);
    }
    this.ps = loadPocketSphinx();
    this.config = this.ps.parseConfig(['-hmm', model.hmm, '-lm', model.lm, '-dict', model.dict, ...DECODER_ARGS, ...decoderArgs]);
    if (this.config === null) throw new Error('PocketSphinx rejected the decoder configuration');
    let decoder: Pointer | null = null;
    try {
      decoder = this.newDecoder();
      this.normalization = new LiveNormalization(this.ps, decoder);
    } catch (err) {
      if (decoder !== null) this.ps.ps_free(decoder);
      this.ps.cmd_ln_free_r(this.config);
      throw err;
    }
    this.idle = decoder;
  }

  createRecognizer(): PocketSphinxRecognizer {
    if (this.config === null) throw new Error('PocketSphinx engine is closed');
    const decoder = this.idle ?? this.newDecoder();
    this.idle = null;
    let searches = this.searches.get(decoder);
    if (!searches) {
      searches = new ContextSearches(this.ps, decoder, CONTEXT_SEARCHES);
      this.searches.set(decoder, searches);
    }
    return new PocketSphinxRecognizer(this.ps, decoder, searches, this.normalization, (reusable) => this.release(decoder, reusable));
  }

  createBatchRecognizer(): BatchRecognizer {
    return new PocketSphinxBatchRecognizer(this.createRecognizer());
  }

  createStream(): StreamingRecognizer {
    return this.createRecognizer();
  }

  close(): void {
    if (this.idle !== null) this.free(this.idle);
    this.normalization.close();
    if (this.config !== null) this.ps.cmd_ln_free_r(this.config);
    this.idle = null;
    this.config = null;
  }

  private newDecoder(): Pointer {
    const decoder = this.ps.ps_init(this.config!);
    if (decoder === null) throw new Error('PocketSphinx could not load its model (ps_init failed)');
    return decoder;
  }

  private release(decoder: Pointer, reusable: boolean): void {
    // Keep at most one idle decoder: each one holds a full copy of the model.
    if (reusable && this.idle === null && this.config !== null) {
      // The next borrower starts without this one's context.
      this.searches.get(decoder)?.clear();
      this.idle = decoder;
    } else {
      this.free(decoder);
    }
  }

  private free(decoder: Pointer): void {
    // ps_free frees the decoder's context searches too.
    this.searches.delete(decoder);
    this.ps.ps_free(decoder);
  }
}

type RecognizerState = 'ready' | 'streaming' | 'freed';

const LOOKAHEAD_SAMPLES = (NORMALIZATION_LOOKAHEAD_MS * 16_000) / 1000;

export class PocketSphinxRecognizer implements Recognizer {
  private state: RecognizerState = 'ready';
  /**
   * The start of a session held back to estimate its cepstral mean from
   * (live-normalization.ts); null once the decoder has it.
   */
  private lookahead: Int16Array[] | null = [];
  private lookaheadSamples = 0;
  /** The decoder holds state from this use (streaming, or a failed call) and must not be lent again. */
  private dirty = false;
  private offsetMs = 0;
  // Out-parameter scratch for ps_seg_frames.
  private readonly startFrame = new Int32Array(1);
  private readonly endFrame = new Int32Array(1);
  private context: ActiveContext | null = null;

  constructor(
    private readonly ps: PocketSphinxLibrary,
    private readonly decoder: Pointer,
    private readonly searches: ContextSearches,
    private readonly normalization: LiveNormalization,
    private readonly onFree: (reusable: boolean) => void,
  ) {}

  /**
   * Recognises with `context` from the next utterance on; null: without
   * context. Applying a context this recognizer used recently is immediate;
   * a new one takes 0.1–0.3 s (see {@link PocketSphinxEngineOptions}).
   */
  setContext(context: RecognitionContext | null): void {
    this.expect('ready');
    // A failed switch leaves the default search selected.
    this.context = null;
    this.context = this.searches.select(context);
  }

  recognize(samples: Int16Array, offsetMs: number): RecognizedWord[] {
    this.expect('ready');
    if (samples.length === 0) return [];
    this.dirty = true;
    this.begin(offsetMs);
    // full_utt = 1: cepstral mean normalisation over the whole utterance
    // ("batch" CMN in the model's feat.params), computed from this audio alone.
    this.check(this.ps.ps_process_raw(this.decoder, samples, samples.length, 0, 1), 'ps_process_raw');
    this.check(this.ps.ps_end_utt(this.decoder), 'ps_end_utt');
    this.dirty = false;
    return this.spelled(toRecognizedWords(this.segments(true), this.offsetMs));
  }

  startUtterance(offsetMs: number): void {
    this.expect('ready');
    this.begin(offsetMs);
    this.state = 'streaming';
  }

  /**
   * A new live session (speaker, microphone) from the next utterance on:
   * its cepstral mean is estimated afresh from its first second of audio,
   * which is held back until then (partial results wait for it).
   */
  startSession(): void {
    this.expect('ready');
    this.lookahead = [];
    this.lookaheadSamples = 0;
  }

  /**
   * Audio fed piecewise switches the decoder, for good, to live cepstral mean
   * normalisation that carries over from one utterance to the next. That
   * suits a live session, but the decoder can no longer give batch results
   * that depend only on their own audio, so it is not reused after free().
   */
  process(samples: Int16Array): void {
    this.expect('streaming');
    this.dirty = true;
    if (samples.length === 0) return;
    if (this.lookahead !== null) {
      this.lookahead.push(samples.slice());
      this.lookaheadSamples += samples.length;
      if (this.lookaheadSamples >= LOOKAHEAD_SAMPLES) this.endLookahead();
      return;
    }
    this.check(this.ps.ps_process_raw(this.decoder, samples, samples.length, 0, 0), 'ps_process_raw');
  }

  partial(): PartialWord[] {
    this.expect('streaming');
    return this.spelled(toPartialWords(this.segments(false), this.offsetMs));
  }

  endUtterance(): RecognizedWord[] {
    this.expect('streaming');
    if (this.lookahead !== null) this.endLookahead();
    this.state = 'ready';
    this.check(this.ps.ps_end_utt(this.decoder), 'ps_end_utt');
    return this.spelled(toRecognizedWords(this.segments(true), this.offsetMs));
  }

  free(): void {
    if (this.state === 'freed') return;
    // An utterance still open would leave the decoder mid-search.
    const reusable = this.state === 'ready' && !this.dirty;
    this.state = 'freed';
    this.onFree(reusable);
  }

  /** Starts the decoder from the held-back audio's mean, then decodes that audio. */
  private endLookahead(): void {
    const held = new Int16Array(this.lookaheadSamples);
    let at = 0;
    for (const part of this.lookahead!) {
      held.set(part, at);
      at += part.length;
    }
    this.lookahead = null;
    this.lookaheadSamples = 0;
    // Exactly the first second however the audio was chunked: the same audio gives the same words.
    this.normalization.start(this.decoder, held.subarray(0, LOOKAHEAD_SAMPLES));
    if (held.length > 0) this.check(this.ps.ps_process_raw(this.decoder, held, held.length, 0, 0), 'ps_process_raw');
  }

  /** Terms of the context keep their written form. */
  private spelled<W extends PartialWord>(words: W[]): W[] {
    return this.context === null ? words : this.context.spelling.apply(words);
  }

  private begin(offsetMs: number): void {
    this.offsetMs = offsetMs;
    // A new stream per utterance makes segment frames count from its first sample.
    this.check(this.ps.ps_start_stream(this.decoder), 'ps_start_stream');
    this.check(this.ps.ps_start_utt(this.decoder), 'ps_start_utt');
  }

  /**
   * The current hypothesis' segments. After ps_end_utt the iterator walks the
   * best path of the word lattice and ps_seg_prob is a real posterior;
   * mid-utterance it walks the back-pointer table and has none.
   */
  private segments(withPosterior: boolean): (DecoderSegment & { posterior: number })[] {
    const segments: (DecoderSegment & { posterior: number })[] = [];
    const logmath = withPosterior ? this.ps.ps_get_logmath(this.decoder) : null;
    for (let seg = this.ps.ps_seg_iter(this.decoder); seg !== null; seg = this.ps.ps_seg_next(seg)) {
      this.ps.ps_seg_frames(seg, this.startFrame, this.endFrame);
      segments.push({
        word: this.ps.ps_seg_word(seg),
        startFrame: this.startFrame[0]!,
        endFrame: this.endFrame[0]!,
        posterior: logmath === null ? Number.NaN : this.ps.logmath_exp(logmath, this.ps.ps_seg_prob(seg, null, null, null)),
      });
    }
    return segments;
  }

  private expect(state: RecognizerState): void {
    if (this.state !== state) throw new Error(`PocketSphinx recognizer is ${this.state}, expected ${state}`);
  }

  private check(result: number, call: string): void {
    if (result < 0) throw new Error(`PocketSphinx ${call} failed (${result})`);
  }
}
