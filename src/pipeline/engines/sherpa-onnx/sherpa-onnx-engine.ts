/**
 * sherpa-onnx as a Hark engine: a model directory loaded once, recognizers
 * per job or live stream.
 *
 * - Offline models (Whisper, SenseVoice, NeMo transducers, Moonshine, zipformer
 *   CTC) recognise whole utterances: a {@link BatchEngine}.
 * - Streaming models (zipformer transducer, zipformer2 CTC) are also a
 *   {@link StreamingEngine}: true partials while audio arrives, and sherpa's own
 *   endpoint rules, which the live pipeline turns into `<end>`. In batch they
 *   decode the utterance in one go through the same online recognizer.
 *
 * Context and language go where the model takes them (model-files.ts):
 *
 * - Transducers with a `bpe.vocab` boost the context's phrases as hotwords
 *   (hotwords.ts). Offline ones take them per stream; sherpa-onnx-node takes
 *   a streaming model's hotwords per recognizer only, so each distinct set
 *   loads the model once more, and the last {@link MAX_EXTRA_RECOGNIZERS}
 *   are kept. Other families ignore context, with a notice.
 * - Whisper and SenseVoice are told the first language hint when the model
 *   has that language: Whisper through its recognizer's setConfig, SenseVoice
 *   (no such call) through a recognizer per language, the last
 *   {@link MAX_EXTRA_RECOGNIZERS} kept. Otherwise they detect it themselves.
 *
 * The native calls are synchronous; this engine runs in worker processes
 * (jobs/*-worker.ts), never on the server's event loop.
 */
import type {
  BatchEngine,
  BatchRecognition,
  BatchRecognizer,
  BatchRequest,
  EngineCapabilities,
  PartialWord,
  RecognizedWord,
  StreamingEngine,
  StreamingRecognizer,
} from '../speech-engine.js';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecognitionContext } from '../../context/recognition-context.js';
import { sherpaCapabilities } from './capabilities.js';
import { contextHotwords } from './hotwords.js';
import { ENGINE_SAMPLE_RATE } from '../speech-engine.js';
import { LANGUAGE_HINT_FAMILIES, offlineRecognizerConfig, onlineRecognizerConfig, takesHotwords, type SherpaModel } from './model-files.js';
import { type OfflineRecognizer, type OfflineStream, type OnlineRecognizer, type OnlineStream, sherpaOnnx, toWaveform } from './sherpa-native.js';
import { resultLanguage, toPartialWords, toRecognizedWords } from './sherpa-results.js';

/**
 * sherpa's endpoint rules (its own defaults are 2.4 s, 1.2 s, 20 s):
 * 1, silence with nothing recognised yet; 2, silence after speech; 3, utterance length.
 * Rule 3 is set past Hark's own 20 s cut, which splits long speech without an `<end>`
 * (a length limit is not the speaker stopping).
 */
export const SHERPA_ENDPOINT_RULES = { rule1Ms: 2_400, rule2Ms: 800, rule3Ms: 30_000 };

/**
 * Silence fed after the last sample of an utterance: a streaming model decodes
 * in fixed chunks and holds back a partial one, which this pushes through.
 */
const TAIL_PADDING_MS = 400;

function silence(ms: number): Int16Array {
  return new Int16Array((ms * ENGINE_SAMPLE_RATE) / 1000);
}

function samplesMs(count: number): number {
  return Math.round((count * 1000) / ENGINE_SAMPLE_RATE);
}

/**
 * Recognizers kept besides the default one, per engine: one per hotword set (streaming
 * transducers) or per language (SenseVoice). Each holds a copy of the model in memory.
 */
export const MAX_EXTRA_RECOGNIZERS = 2;

/** The most recently used values by key, at most `limit` of them. */
class RecentlyUsed<V> {
  readonly #entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string, create: () => V): V {
    const hit = this.#entries.get(key);
    const value = hit ?? create();
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Where notices about ignored hints go (a worker's stderr reaches the server's log). */
export type NoticeSink = (message: string) => void;

const stderrNotice: NoticeSink = (message) => process.stderr.write(`sherpa-onnx: ${message}\n`);

/** Decodes whatever whole chunks the stream holds. */
function drain(recognizer: OnlineRecognizer, stream: OnlineStream): void {
  while (recognizer.isReady(stream)) recognizer.decode(stream);
}

class OnlineUtteranceDecoder {
  #stream: OnlineStream;
  #offsetMs: number;
  #fedSamples = 0;

  constructor(
    private readonly recognizer: OnlineRecognizer,
    offsetMs: number,
  ) {
    this.#stream = recognizer.createStream();
    this.#offsetMs = offsetMs;
  }

  feed(samples: Int16Array): void {
    this.#stream.acceptWaveform(toWaveform(samples));
    this.#fedSamples += samples.length;
    drain(this.recognizer, this.#stream);
  }

  get endMs(): number {
    return this.#offsetMs + samplesMs(this.#fedSamples);
  }

  partial(): PartialWord[] {
    return toPartialWords(this.recognizer.getResult(this.#stream), this.#offsetMs, this.endMs);
  }

  /** sherpa's endpoint rules fired on what was fed so far. */
  endpoint(): boolean {
    return this.recognizer.isEndpoint(this.#stream);
  }

  finish(): RecognizedWord[] {
    const endMs = this.endMs;
    this.#stream.acceptWaveform(toWaveform(silence(TAIL_PADDING_MS)));
    this.#stream.inputFinished();
    drain(this.recognizer, this.#stream);
    return toRecognizedWords(this.recognizer.getResult(this.#stream), this.#offsetMs, endMs);
  }
}

/** A live stream's decoder over a streaming model: one sherpa stream per utterance. */
export class SherpaStreamingRecognizer implements StreamingRecognizer {
  #utterance: OnlineUtteranceDecoder | null = null;
  #recognizer: OnlineRecognizer;

  constructor(private readonly engine: SherpaOnnxEngine) {
    this.#recognizer = engine.onlineRecognizer(null);
  }

  /** The context's hotwords bias utterances from the next one on (transducers with a bpe.vocab). */
  setContext(context: RecognitionContext | null): void {
    this.#recognizer = this.engine.onlineRecognizer(context);
  }

  startUtterance(offsetMs: number): void {
    this.#utterance = new OnlineUtteranceDecoder(this.#recognizer, offsetMs);
  }

  process(samples: Int16Array): void {
    this.#current().feed(samples);
  }

  partial(): PartialWord[] {
    return this.#current().partial();
  }

  /**
   * True once sherpa's endpoint rules say the speaker has finished the utterance
   * (trailing silence after speech, or the length limit): the live pipeline ends it and sends `<end>`.
   */
  endpointDetected(): boolean {
    return this.#utterance?.endpoint() ?? false;
  }

  endUtterance(): RecognizedWord[] {
    const words = this.#current().finish();
    this.#utterance = null;
    return words;
  }

  free(): void {
    this.#utterance = null;
  }

  #current(): OnlineUtteranceDecoder {
    if (this.#utterance === null) throw new Error('No utterance is open: call startUtterance first');
    return this.#utterance;
  }
}

class SherpaBatchRecognizer implements BatchRecognizer {
  constructor(private readonly engine: SherpaOnnxEngine) {}

  async recognize(request: BatchRequest): Promise<BatchRecognition> {
    request.signal?.throwIfAborted();
    return this.engine.recognizeWhole(request.samples, request.offsetMs, request.context ?? null, request.language ?? null);
  }

  free(): void {}
}

export class SherpaOnnxEngine implements BatchEngine, StreamingEngine {
  readonly id = 'sherpa-onnx';
  readonly capabilities: EngineCapabilities;
  #online: OnlineRecognizer | null = null;
  #offline: OfflineRecognizer | null = null;
  readonly #biased = new RecentlyUsed<OnlineRecognizer>(MAX_EXTRA_RECOGNIZERS);
  readonly #byLanguage = new RecentlyUsed<OfflineRecognizer>(MAX_EXTRA_RECOGNIZERS);
  /** The language the Whisper recognizer was last configured with; null: detection. */
  #whisperLanguage: string | null = null;
  readonly #hotwords: boolean;
  /** The vocabulary has no lower-case pieces (LibriSpeech zipformers): hotwords are written in capitals. */
  readonly #capitals: boolean;
  readonly #noticed = new Set<string>();
  #scratch: string | null = null;

  /** @throws {Error} the model files are missing or the runtime cannot load them. */
  constructor(
    readonly model: SherpaModel,
    private readonly notice: NoticeSink = stderrNotice,
  ) {
    this.capabilities = sherpaCapabilities(model);
    this.#hotwords = takesHotwords(model);
    const sherpa = sherpaOnnx();
    if (model.streaming) this.#online = new sherpa.OnlineRecognizer(onlineRecognizerConfig(model, SHERPA_ENDPOINT_RULES));
    else this.#offline = new sherpa.OfflineRecognizer(offlineRecognizerConfig(model, null));
    this.#capitals = this.#hotwords && !/\p{Ll}/u.test(readFileSync(join(model.dir, 'tokens.txt'), 'utf8').replace(/<[^>\s]*>/g, ''));
  }

  /** The phrases `context` boosts with this model; none (and a notice, once) when it takes no hotwords. */
  hotwords(context: RecognitionContext | null): string[] {
    if (context === null) return [];
    if (!this.#hotwords) {
      const empty = context.terms.length === 0 && context.general.length === 0 && context.text === '';
      if (!empty) this.#noticeOnce('context', `${this.model.id} (${this.model.family}) takes no hotwords: the context of requests is ignored`);
      return [];
    }
    return contextHotwords(context, this.#capitals);
  }

  /** A streaming model's recognizer, biased toward `context`'s hotwords when it has any. */
  onlineRecognizer(context: RecognitionContext | null): OnlineRecognizer {
    if (this.#online === null) throw new Error(`${this.model.id} is not a streaming model`);
    const hotwords = this.hotwords(context);
    if (hotwords.length === 0) return this.#online;
    return this.#biased.get(hotwords.join('\n'), () => {
      this.#scratch ??= mkdtempSync(join(tmpdir(), 'hark-hotwords-'));
      const file = join(this.#scratch, 'hotwords.txt');
      writeFileSync(file, hotwords.join('\n') + '\n');
      try {
        return new (sherpaOnnx().OnlineRecognizer)(onlineRecognizerConfig(this.model, SHERPA_ENDPOINT_RULES, file));
      } finally {
        rmSync(file, { force: true });
      }
    });
  }

  /** The language Whisper or SenseVoice is told for `hint`; null: it detects the language. */
  #toldLanguage(hint: string | null): string | null {
    if (hint === null || !LANGUAGE_HINT_FAMILIES.has(this.model.family) || this.model.languages.length < 2) return null;
    if (this.model.languages.includes(hint)) return hint;
    this.#noticeOnce(`language:${hint}`, `${this.model.id} does not know the language "${hint}": it detects the language itself`);
    return null;
  }

  #offlineRecognizer(hint: string | null): OfflineRecognizer {
    const recognizer = this.#offline!;
    const language = this.#toldLanguage(hint);
    if (this.model.family === 'whisper') {
      if (language !== this.#whisperLanguage) {
        recognizer.setConfig(offlineRecognizerConfig(this.model, language));
        this.#whisperLanguage = language;
      }
      return recognizer;
    }
    if (language === null) return recognizer;
    return this.#byLanguage.get(language, () => new (sherpaOnnx().OfflineRecognizer)(offlineRecognizerConfig(this.model, language)));
  }

  #noticeOnce(key: string, message: string): void {
    if (this.#noticed.has(key)) return;
    this.#noticed.add(key);
    this.notice(message);
  }

  createBatchRecognizer(): BatchRecognizer {
    return new SherpaBatchRecognizer(this);
  }

  /** Streaming models only (see `capabilities.streaming`). */
  createStream(): SherpaStreamingRecognizer {
    return new SherpaStreamingRecognizer(this);
  }

  /**
   * One whole utterance, decoded synchronously, biased toward `context` and told `languageHint`
   * (the first of `language_hints`) where the model takes them.
   */
  recognizeWhole(samples: Int16Array, offsetMs: number, context: RecognitionContext | null = null, languageHint: string | null = null): BatchRecognition {
    if (this.#online !== null) {
      const decoder = new OnlineUtteranceDecoder(this.onlineRecognizer(context), offsetMs);
      decoder.feed(samples);
      return { words: decoder.finish() };
    }
    const recognizer = this.#offlineRecognizer(languageHint);
    const hotwords = this.hotwords(context);
    const stream: OfflineStream = hotwords.length > 0 ? recognizer.createStream(hotwords.join('/')) : recognizer.createStream();
    stream.acceptWaveform(toWaveform(samples));
    recognizer.decode(stream);
    const result = recognizer.getResult(stream);
    const words = toRecognizedWords(result, offsetMs, offsetMs + samplesMs(samples.length));
    const heard = this.capabilities.languageIdentification ? resultLanguage(result) : null;
    return heard === null ? { words } : { words, language: heard };
  }

  close(): void {
    // sherpa-onnx-node frees native recognizers when they are garbage-collected.
    this.#online = null;
    this.#offline = null;
    this.#biased.clear();
    this.#byLanguage.clear();
    if (this.#scratch !== null) rmSync(this.#scratch, { recursive: true, force: true });
    this.#scratch = null;
  }
}
