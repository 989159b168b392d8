/**
 * The seam every speech recognition engine implements.
 *
 * An engine declares what it can do ({@link EngineCapabilities}) instead of
 * being probed for it, and offers batch recognition, streaming recognition,
 * or both, as separate interfaces: {@link BatchEngine}, {@link StreamingEngine}.
 * It loads its model once; each recognizer it creates owns the mutable state
 * (a decoder, a connection) and serves one job or session at a time.
 * Engines are chosen by name in engine-registry.ts; adapters (the bounded
 * remote engine, the live final pass over a batch engine) compose them.
 *
 * Audio is always 16 kHz mono signed 16-bit PCM ({@link ENGINE_SAMPLE_RATE});
 * decoding other formats happens before the engine (pipeline/decode), and
 * utterances are cut by Hark's own segmenter (pipeline/segmentation).
 */

import type { RecognitionContext } from '../context/recognition-context.js';

export const ENGINE_SAMPLE_RATE = 16_000;

/** A recognised word with its timing relative to the start of the audio. */
export interface RecognizedWord {
  /**
   * Lower-case dictionary spelling as the decoder produced it (no alternates
   * marker), or a context term's own spelling ("HbA1c").
   */
  word: string;
  startMs: number;
  endMs: number;
  /** Posterior probability in 0..1. */
  confidence: number;
  /** ISO 639-1 code of the language the engine heard, with language identification. */
  language?: string;
}

/**
 * A word of a partial hypothesis. Mid-utterance there is no word lattice yet,
 * so no posterior: callers that need a confidence must say what they show.
 */
export type PartialWord = Omit<RecognizedWord, 'confidence'>;

/** How an engine uses a {@link RecognitionContext}. */
export type ContextSupport =
  /** Biases the search toward the terms and text (PocketSphinx: a search of its own). */
  | 'bias'
  /** Passes it on as a text prompt (terms first), as OpenAI-style servers take it. */
  | 'prompt'
  /** Ignores it: context is a hint, not a requirement. */
  | 'none';

export interface EngineCapabilities {
  /** Partial hypotheses while audio is still arriving: the engine is a {@link StreamingEngine}. */
  streaming: boolean;
  /** Whole utterances, one call each: the engine is a {@link BatchEngine}. */
  batch: boolean;
  wordTimestamps: boolean;
  /** Word confidences are the engine's own probabilities (else a fixed stand-in). */
  confidences: boolean;
  /** ISO 639-1 codes the engine recognises; the first is its default. */
  languages: readonly string[];
  /** Batch results name the language spoken ({@link BatchRecognition.language}). */
  languageIdentification: boolean;
  context: ContextSupport;
  /**
   * Batch calls one recognizer may usefully have in flight at once: 1 for a
   * local decoder (its calls run one after another anyway), more for a
   * remote engine whose calls are network requests.
   */
  batchConcurrency: number;
}

/** One utterance for batch recognition. */
export interface BatchRequest {
  samples: Int16Array;
  /** Where the first sample lies in the whole audio: word times are offset by it. */
  offsetMs: number;
  /** The language expected (ISO 639-1, the first of `language_hints`); null: the engine decides. */
  language?: string | null;
  /** Terms and domain text of this job or session; null: none. */
  context?: RecognitionContext | null;
  /** Aborting rejects the call with `signal.reason`, as soon as the engine can stop. */
  signal?: AbortSignal;
}

export interface BatchRecognition {
  words: RecognizedWord[];
  /** ISO 639-1 code of the language the engine heard, with language identification. */
  language?: string;
}

/**
 * Recognises complete utterances, each in one call. Engines may use the
 * whole utterance at once (PocketSphinx normalises its features over it),
 * which is more accurate than streaming the same audio.
 */
export interface BatchRecognizer {
  /**
   * Does now what the first call with `context` would otherwise spend on it
   * (PocketSphinx builds a search for it), so that time is not taken for
   * recognition time. Optional: engines with nothing to prepare leave it out.
   */
  prepare?(context: RecognitionContext | null): void | Promise<void>;
  /**
   * @throws the engine's failure (a remote engine's: {@link EngineUnavailableError}),
   *   or `request.signal.reason` when aborted.
   */
  recognize(request: BatchRequest): Promise<BatchRecognition>;
  /** Release the decoder or connection. The recognizer must not be used afterwards. */
  free(): void;
}

/**
 * One live stream's decoder: utterances are fed piecewise and give partial
 * hypotheses. Calls are synchronous: a streaming recognizer is a local
 * decoder and runs in a worker process, never on the server's event loop.
 */
export interface StreamingRecognizer {
  /**
   * Biases recognition toward a context (terms, domain text) from the next
   * utterance on, for this recognizer only; null removes it. Engines
   * without context biasing leave this out, and context is then ignored:
   * it is a hint, not a requirement. Must not be called mid-utterance.
   */
  setContext?(context: RecognitionContext | null): void;
  /**
   * A new stream (live session) begins on this, perhaps reused, recognizer:
   * state learnt from the previous one's speaker (PocketSphinx: its cepstral
   * mean) starts afresh. Engines that keep none leave this out.
   */
  startSession?(): void;
  /** Begin an utterance whose first sample is at `offsetMs` in the stream. */
  startUtterance(offsetMs: number): void;
  /** Feed 16 kHz mono s16 samples of the current utterance. */
  process(samples: Int16Array): void;
  /** Best hypothesis so far, without ending the utterance. */
  partial(): PartialWord[];
  /** End the utterance and return its final words with timings and confidences. */
  endUtterance(): RecognizedWord[];
  /**
   * True once the engine's own endpoint rules say the speaker has finished the utterance
   * (sherpa-onnx: trailing silence after speech). Live sessions then end it as at a pause,
   * whatever Hark's voice detector hears. Engines without such rules leave this out.
   */
  endpointDetected?(): boolean;
  /** Release the decoder. The recognizer must not be used afterwards. */
  free(): void;
}

interface EngineBase {
  readonly id: string;
  readonly capabilities: EngineCapabilities;
  /** Release the model and every idle decoder. Recognizers must be freed first. */
  close(): void | Promise<void>;
}

export interface BatchEngine extends EngineBase {
  createBatchRecognizer(): BatchRecognizer;
}

export interface StreamingEngine extends EngineBase {
  /** A stream for one live session; it owns its decoder until freed. */
  createStream(): StreamingRecognizer;
}

/** An engine offers what its capabilities declare: `batch` ⇒ BatchEngine, `streaming` ⇒ StreamingEngine. */
export type SpeechEngine = EngineBase & Partial<Pick<BatchEngine, 'createBatchRecognizer'> & Pick<StreamingEngine, 'createStream'>>;

/**
 * A remote engine cannot be reached or keeps answering errors. Jobs fail
 * with its message as `error_message`; live sessions end with 503.
 */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
  readonly code = 'engine_unavailable';
  /** Trying again may succeed (no connection, a timeout, HTTP 429 or 5xx); not for a refusal of this request. */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** The words, each labelled with the utterance's `language` unless it has its own. */
export function withLanguage(words: RecognizedWord[], language: string | undefined): RecognizedWord[] {
  return language === undefined ? words : words.map((w) => (w.language === undefined ? { ...w, language } : w));
}

/**
 * @throws {Error} the engine does not declare batch recognition.
 * @example const batch = asBatchEngine(await createEngine({ id: 'pocketsphinx' }));
 */
export function asBatchEngine(engine: SpeechEngine): BatchEngine {
  if (!engine.capabilities.batch || !engine.createBatchRecognizer) throw new Error(`Speech engine ${engine.id} does not recognise utterances in batch`);
  return engine as BatchEngine;
}

/** @throws {Error} the engine does not declare streaming recognition. */
export function asStreamingEngine(engine: SpeechEngine): StreamingEngine {
  if (!engine.capabilities.streaming || !engine.createStream) throw new Error(`Speech engine ${engine.id} does not stream`);
  return engine as StreamingEngine;
}
