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
import { sherpaCapabilities } from './capabilities.js';
import { ENGINE_SAMPLE_RATE } from '../speech-engine.js';
import { offlineRecognizerConfig, onlineRecognizerConfig, type SherpaModel } from './model-files.js';
import { type OfflineRecognizer, type OnlineRecognizer, type OnlineStream, sherpaOnnx, toWaveform } from './sherpa-native.js';
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

  constructor(private readonly recognizer: OnlineRecognizer) {}

  startUtterance(offsetMs: number): void {
    this.#utterance = new OnlineUtteranceDecoder(this.recognizer, offsetMs);
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
    return this.engine.recognizeWhole(request.samples, request.offsetMs);
  }

  free(): void {}
}

export class SherpaOnnxEngine implements BatchEngine, StreamingEngine {
  readonly id = 'sherpa-onnx';
  readonly capabilities: EngineCapabilities;
  #online: OnlineRecognizer | null = null;
  #offline: OfflineRecognizer | null = null;

  /** @throws {Error} the model files are missing or the runtime cannot load them. */
  constructor(readonly model: SherpaModel) {
    this.capabilities = sherpaCapabilities(model);
    const sherpa = sherpaOnnx();
    if (model.streaming) this.#online = new sherpa.OnlineRecognizer(onlineRecognizerConfig(model, SHERPA_ENDPOINT_RULES));
    else this.#offline = new sherpa.OfflineRecognizer(offlineRecognizerConfig(model, null));
  }

  createBatchRecognizer(): BatchRecognizer {
    return new SherpaBatchRecognizer(this);
  }

  /** Streaming models only (see `capabilities.streaming`). */
  createStream(): SherpaStreamingRecognizer {
    if (this.#online === null) throw new Error(`${this.model.id} is not a streaming model`);
    return new SherpaStreamingRecognizer(this.#online);
  }

  /** One whole utterance, decoded synchronously. */
  recognizeWhole(samples: Int16Array, offsetMs: number): BatchRecognition {
    if (this.#online !== null) {
      const decoder = new OnlineUtteranceDecoder(this.#online, offsetMs);
      decoder.feed(samples);
      return { words: decoder.finish() };
    }
    const recognizer = this.#offline!;
    const stream = recognizer.createStream();
    stream.acceptWaveform(toWaveform(samples));
    recognizer.decode(stream);
    const result = recognizer.getResult(stream);
    const words = toRecognizedWords(result, offsetMs, offsetMs + samplesMs(samples.length));
    const language = this.capabilities.languageIdentification ? resultLanguage(result) : null;
    return language === null ? { words } : { words, language };
  }

  close(): void {
    // sherpa-onnx-node frees native recognizers when they are garbage-collected.
    this.#online = null;
    this.#offline = null;
  }
}
