/**
 * How the stages compose for a live session: decoded PCM → voice activity
 * segmentation → recognition → transcript bookkeeping.
 *
 * - The streaming pass feeds each utterance to a decoder as it arrives and
 *   gives the provisional (non-final) words while the speaker talks; its
 *   words at the end of the utterance are final, unless…
 * - …the recognition has a separate final pass ({@link LiveRecognition.openFinal},
 *   e.g. a remote engine): it then recognises each finished utterance
 *   whole. When a client wants finals by a deadline (endpoint detection,
 *   finalize) and that pass cannot make it, the streaming pass's words of
 *   that utterance become final instead.
 *
 * Recognition runs off the event loop behind the {@link LiveRecognition} port,
 * and speaker diarization behind the {@link LiveDiarization} one.
 * The silence that makes words final is short ({@link FINALS_PAUSE_MS}); the
 * one that makes an endpoint (`<end>`) follows the client's settings
 * ({@link endpointPauseMs}).
 */
import type { RecognitionContext } from './context/recognition-context.js';
import type { AsyncLiveDiarizer, LiveDiarization } from './diarization/diarizer.js';
import type { PartialWord, RecognizedWord } from './engines/speech-engine.js';
import { ENGINE_SAMPLE_RATE } from './engines/speech-engine.js';
import { SampleBuffer } from './segmentation/utterance-splitter.js';
import {
  DEFAULT_SEGMENTER_OPTIONS,
  type SegmenterEvent,
  type SegmenterOptions,
  VoiceActivitySegmenter,
} from './segmentation/voice-activity-segmenter.js';
import type { VoiceDetector } from './segmentation/speech-classifier.js';
import { TranscriptAssembler, type TranscriptUpdate } from './tokens/transcript-assembler.js';

const SAMPLES_PER_MS = ENGINE_SAMPLE_RATE / 1000;

/** What a fast-pass recognizer reports after each chunk it was fed. */
export interface PartialEvents {
  /**
   * Current hypothesis of utterance `utteranceId`, after `samples` more samples; the pass is at `positionMs`.
   * `endpoint`: the engine's own endpoint rule says the utterance is over (see StreamingRecognizer.endpointDetected).
   */
  progress(utteranceId: number, words: PartialWord[], samples: number, positionMs: number, endpoint?: boolean): void;
  /** The recognizer is gone (its worker crashed); the stream cannot continue. */
  failed(err: Error): void;
}

/** The fast pass of one stream. Calls are processed in order. */
export interface PartialRecognizer {
  startUtterance(utteranceId: number, offsetMs: number): void;
  /** Hands over `samples` (the buffer may be transferred to another thread). */
  feed(samples: Int16Array): void;
  /** Ends the current utterance; resolves to its words with confidences. */
  endUtterance(): Promise<RecognizedWord[]>;
  close(): void;
}

/** A separate final pass of one stream (the streaming pass's words are provisional then). */
export interface FinalRecognizer {
  /** Recognises one whole utterance (the samples may be transferred). Rejects with `signal.reason` when aborted. */
  recognize(samples: Int16Array, offsetMs: number, signal: AbortSignal): Promise<RecognizedWord[]>;
  /** Rough wall time until a newly queued utterance of `audioMs` would be recognised. */
  estimateMs(audioMs: number): number;
  close(): void;
}

/** Where recognition runs: worker processes in the server (jobs/realtime-recognition-pool.ts), fakes in tests. */
export interface LiveRecognition {
  /** `context` biases this stream's recognition only (null: none). */
  openPartial(events: PartialEvents, context?: RecognitionContext | null): PartialRecognizer;
  /**
   * Absent: the streaming pass's words at the end of each utterance are final.
   * `language`: the first language hint, for engines that take one (remote ones); null: none.
   */
  openFinal?(context?: RecognitionContext | null, language?: string | null): FinalRecognizer;
  /** Sessions this recognition can serve at once at real-time pace, as measured; absent: unknown. */
  capacity?(): number;
}

export interface LiveTranscriptionOptions {
  /** Send `<end>` after each utterance the speaker ends with a pause. */
  endpointDetection: boolean;
  /** Longest wait from the end of speech to `<end>`, and from `finalize` to `<fin>` (API.md §7.10). */
  maxEndpointDelayMs: number;
  /** −1…1 (default 0): above 0 a shorter pause makes an endpoint, below 0 a longer one. */
  endpointSensitivity?: number;
  /** 0…3 (default 0): each level shortens the pause that makes an endpoint a little more. */
  endpointLatencyAdjustmentLevel?: number;
  /** Terms and domain text for both passes of this stream. */
  context?: RecognitionContext | null;
  /** The language to expect (the first of `language_hints`), for a final pass that takes one; null: none. */
  language?: string | null;
  /** Where the words' speakers are decided (the stream opens its own diarizer there); null: no speaker labels. */
  diarization?: LiveDiarization | null;
  /** What tells speech from pauses (default: energy). */
  voiceDetector?: VoiceDetector;
}

export interface LiveTranscriptionEvents {
  /** Something changed: call {@link LiveTranscription.take}. */
  changed(): void;
  /** Recognition failed; the transcription is unusable. */
  failed(err: Error): void;
}

/**
 * Silence after which an utterance's words are final. Short, for finals
 * soon after the end of speech; long enough that most pauses within a
 * sentence do not split it (a split costs the language model its context;
 * the streaming decoder's normalisation carries over either way).
 */
export const FINALS_PAUSE_MS = 300;
// The silence that makes an endpoint is this share of max_endpoint_delay_ms
// (the rest is for recognising and sending), within these bounds: below
// 200 ms most pauses between words would be endpoints.
const ENDPOINT_PAUSE_SHARE = 0.3;
const MIN_ENDPOINT_PAUSE_MS = 200;
/** What each endpoint latency adjustment level takes off the pause. */
const LATENCY_LEVEL_STEP = 0.2;
/** Audio the segmenter keeps after speech must be shorter than the hangover. */
const MIN_PADDING_GAP_MS = 50;
/** Room left before an endpoint's deadline for sending the results. */
const DEADLINE_MARGIN_MS = 100;
/** Audio fed to the fast pass but not processed yet, beyond which the input should wait. */
const MAX_IN_FLIGHT_MS = 1000;
/** Utterances waiting for the accurate pass (or for their speakers), beyond which the input of a fast client should wait. */
const MAX_WAITING_FINALS = 2;
/**
 * A client this far ahead of real time is sending a recording: it waits for
 * the accurate pass (input paused), however long that takes. A client at
 * real-time pace cannot be paused without falling behind: its non-final
 * words keep coming from the fast pass while its finals queue, and only
 * finals that would be later than {@link REAL_TIME_FINALS_DUE_MS} (a server
 * overloaded for good) give way to the fast pass's words.
 */
const AHEAD_OF_REAL_TIME_MS = 2000;
const REAL_TIME_FINALS_DUE_MS = 30_000;
/** Chunks handed to the fast pass: a worker hosting several streams switches between them this often. */
const FEED_CHUNK_SAMPLES = 320 * SAMPLES_PER_MS;

interface Utterance {
  id: number;
  startMs: number;
  endMs: number | null;
  /** Wall clock time (Date.now) the finals are due by; null: when the accurate pass is done. */
  dueAt: number | null;
  samples: Int16Array | null;
  provisional: RecognizedWord[] | null;
  /** The fast pass's words will be final (no time for the accurate pass). */
  fallback: boolean;
  request: AbortController | null;
  timer: NodeJS.Timeout | null;
  resolved: boolean;
}

/**
 * Silence after the end of speech that makes an endpoint (`<end>`): a share
 * of `maxEndpointDelayMs`, halved by sensitivity 1 and doubled by −1, less
 * a fifth per latency adjustment level; always leaving room within
 * `maxEndpointDelayMs` to send the finals. Soniox documents the directions
 * (API.md §7.10), not the amounts.
 *
 * @example endpointPauseMs({ endpointDetection: true, maxEndpointDelayMs: 2000 }) // 600
 */
export function endpointPauseMs(options: LiveTranscriptionOptions): number {
  const sensitivity = options.endpointSensitivity ?? 0;
  const level = options.endpointLatencyAdjustmentLevel ?? 0;
  const pause = options.maxEndpointDelayMs * ENDPOINT_PAUSE_SHARE * 2 ** -sensitivity * (1 - LATENCY_LEVEL_STEP * level);
  const longest = Math.max(MIN_ENDPOINT_PAUSE_MS, options.maxEndpointDelayMs - 2 * DEADLINE_MARGIN_MS);
  return Math.round(Math.min(longest, Math.max(MIN_ENDPOINT_PAUSE_MS, pause)));
}

/**
 * Silence that ends an utterance (its words go final): {@link FINALS_PAUSE_MS},
 * or the endpoint pause when that is shorter.
 *
 * @example hangoverMs({ endpointDetection: true, maxEndpointDelayMs: 500 }) // 200
 */
export function hangoverMs(options: LiveTranscriptionOptions): number {
  return options.endpointDetection ? Math.min(FINALS_PAUSE_MS, endpointPauseMs(options)) : FINALS_PAUSE_MS;
}

/** The voice activity segmentation of a live stream: {@link hangoverMs}, and padding to fit. */
export function liveSegmenterOptions(options: LiveTranscriptionOptions): Pick<SegmenterOptions, 'minPauseMs' | 'paddingMs'> {
  const minPauseMs = hangoverMs(options);
  return { minPauseMs, paddingMs: Math.min(DEFAULT_SEGMENTER_OPTIONS.paddingMs, minPauseMs - MIN_PADDING_GAP_MS) };
}

/**
 * One live stream's transcription.
 *
 * @example
 * const live = new LiveTranscription(recognition, { endpointDetection: true, maxEndpointDelayMs: 2000 }, {
 *   changed: () => { const update = live.take(); if (update) send(update); },
 *   failed: (err) => fail(err),
 * });
 * live.push(pcm); live.finalize(); await live.end();
 */
export class LiveTranscription {
  private readonly segmenter: VoiceActivitySegmenter;
  private readonly buffer = new SampleBuffer();
  private readonly assembler: TranscriptAssembler;
  private readonly diarizer: AsyncLiveDiarizer | null;
  private readonly partial: PartialRecognizer;
  private readonly final: FinalRecognizer | null;
  private readonly utterances = new Map<number, Utterance>();
  private readonly hangoverMs: number;
  private readonly paddingMs: number;
  /** Audio time at which the silence after the last utterance makes an endpoint; null: none pending. */
  private endpointAtMs: number | null = null;
  private open: Utterance | null = null;
  private nextId = 1;
  private pushedSamples = 0;
  /** Wall clock time of the first audio. */
  private firstPushAt: number | null = null;
  /** Absolute index of the next sample to feed the fast pass. */
  private fedTo = 0;
  private inFlightSamples = 0;
  private fastPassMs = 0;
  private ended = false;
  private closed = false;
  private drained: (() => void) | null = null;

  constructor(
    recognition: LiveRecognition,
    private readonly options: LiveTranscriptionOptions,
    private readonly events: LiveTranscriptionEvents,
  ) {
    this.hangoverMs = hangoverMs(options);
    const segmentation = liveSegmenterOptions(options);
    this.paddingMs = segmentation.paddingMs;
    this.segmenter = new VoiceActivitySegmenter({ ...segmentation, detector: options.voiceDetector ?? 'energy' });
    this.final = recognition.openFinal?.(options.context ?? null, options.language ?? null) ?? null;
    this.partial = recognition.openPartial({
      progress: (id, words, samples, positionMs, endpoint) => {
        this.inFlightSamples -= samples;
        this.fastPassMs = positionMs;
        this.assembler.updatePartial(id, words);
        // Only after words: an engine's "nothing said for a while" rule is no end of speech.
        if (endpoint && words.length > 0 && this.open?.id === id) this.engineEndpoint();
        this.changed();
      },
      failed: (err) => this.fail(err),
    }, options.context ?? null);
    // Opened last, so that a recognizer that cannot open leaves no diarizer behind in its thread.
    // Without its diarizer the stream could not label its final words: it fails, as without its recognizer.
    this.diarizer = options.diarization?.open({ changed: () => this.changed(), failed: (err) => this.fail(err) }) ?? null;
    this.assembler = new TranscriptAssembler(
      this.diarizer && { diarizer: this.diarizer, labelled: () => this.changed(), failed: (err) => this.fail(err) },
    );
  }

  /** Audio decoded so far, in milliseconds. */
  get audioMs(): number {
    return Math.floor(this.pushedSamples / SAMPLES_PER_MS);
  }

  /** True while the recognizers (or the diarizer) are far enough behind that the input should pause. */
  get busy(): boolean {
    if (this.inFlightSamples > MAX_IN_FLIGHT_MS * SAMPLES_PER_MS) return true;
    const waiting = [...this.utterances.values()].filter((u) => u.request !== null).length;
    // Words waiting for their speakers count too: the audio a fast client sends meanwhile would queue for the diarizer.
    return Math.max(waiting, this.assembler.finalsWaiting()) >= MAX_WAITING_FINALS && !this.realTimePaced();
  }

  /** Takes 16 kHz mono samples; recognition results arrive through `changed`. */
  push(samples: Int16Array): void {
    if (this.ended || this.closed || samples.length === 0) return;
    this.buffer.append(samples);
    this.pushedSamples += samples.length;
    this.firstPushAt ??= Date.now();
    this.diarizer?.push(samples);
    this.handle(this.segmenter.push(samples));
    if (this.endpointAtMs !== null && this.audioMs >= this.endpointAtMs) {
      this.endpointAtMs = null;
      this.assembler.addMarker('<end>');
    }
    this.feedOpenUtterance(this.pushedSamples);
    this.buffer.dropBefore(this.segmenter.retainFromMs() * SAMPLES_PER_MS);
    this.changed();
  }

  /**
   * Finalizes everything pushed so far: finals of it, then `<fin>`, within
   * the endpoint delay. Streaming continues afterwards.
   *
   * @param trailingSilenceMs the client says the last this many ms it sent
   *   are silence it appended: the utterance ends before them, and words the
   *   decoder heard in them are dropped.
   */
  finalize(trailingSilenceMs = 0): void {
    if (this.ended || this.closed) return;
    const silentFromMs = this.audioMs - Math.max(0, trailingSilenceMs);
    this.handle(this.segmenter.cut().map((e) => (e.type === 'utterance-end' ? { ...e, atMs: Math.min(e.atMs, silentFromMs) } : e)));
    this.assembler.addMarker('<fin>');
    const dueAt = Date.now() + this.options.maxEndpointDelayMs;
    for (const u of this.utterances.values()) this.schedule(u, Math.min(u.dueAt ?? Infinity, dueAt));
    this.changed();
  }

  /** Ends the stream; resolves once every token is final (read them with {@link take}). */
  async end(): Promise<void> {
    if (this.closed) return;
    if (!this.ended) {
      this.ended = true;
      this.handle(this.segmenter.end());
      this.changed();
    }
    if (!this.assembler.hasPending() && !this.assembler.hasHeldFinals()) return;
    await new Promise<void>((resolve) => (this.drained = resolve));
  }

  /** The next result message's content; null when nothing changed, unless `always`. */
  take(always = false): TranscriptUpdate | null {
    const settledMs = this.ended && !this.assembler.hasPending() ? this.audioMs : Math.min(this.segmenter.retainFromMs(), this.audioMs);
    const totalAudioMs = this.inFlightSamples > 0 ? this.fastPassMs : this.audioMs;
    const update = this.assembler.take({ totalAudioMs, settledMs }, always);
    // Words just shown as non-final for the first time go final in the next message.
    if (this.assembler.hasHeldFinals()) setImmediate(() => this.changed());
    else this.checkDrained();
    return update;
  }

  /** Stops recognition and drops pending work; a waiting {@link end} returns. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.utterances.values()) this.cancel(u);
    this.utterances.clear();
    this.partial.close();
    this.final?.close();
    this.diarizer?.close();
    this.drained?.();
    this.drained = null;
  }

  /** `engineEnded`: the events of a cut the engine's endpoint rule asked for. */
  private handle(events: SegmenterEvent[], engineEnded = false): void {
    for (const event of events) {
      if (event.type === 'speech-start') {
        // Speech resumed before the pause made an endpoint.
        this.endpointAtMs = null;
        const u: Utterance = {
          id: this.nextId++, startMs: event.atMs, endMs: null, dueAt: null, samples: null,
          provisional: null, fallback: false, request: null, timer: null, resolved: false,
        };
        this.open = u;
        this.utterances.set(u.id, u);
        this.assembler.openUtterance(u.id, u.startMs);
        this.partial.startUtterance(u.id, u.startMs);
        this.fedTo = u.startMs * SAMPLES_PER_MS;
        continue;
      }
      const u = this.open;
      if (!u) continue;
      this.open = null;
      const endSample = Math.max(u.startMs, event.atMs) * SAMPLES_PER_MS;
      this.feedOpenUtterance(endSample, u);
      u.endMs = Math.max(u.startMs, event.atMs);
      // Only a separate final pass needs the utterance's samples.
      u.samples = this.final ? this.buffer.copy(u.startMs * SAMPLES_PER_MS, endSample) : null;
      this.assembler.closeUtterance(u.id, u.endMs, event.reason !== 'max-length');
      // The speaker paused: with endpoint detection, `<end>` follows once the silence is long enough.
      if (this.options.endpointDetection && event.reason === 'pause') {
        // The engine's own endpoint rule has heard the pause already: no further wait.
        const endpointAtMs = engineEnded ? this.audioMs : event.atMs - this.paddingMs + endpointPauseMs(this.options);
        if (endpointAtMs <= this.audioMs) this.assembler.addMarker('<end>');
        else this.endpointAtMs = endpointAtMs;
        u.dueAt = Date.now() + this.options.maxEndpointDelayMs - this.hangoverMs - DEADLINE_MARGIN_MS;
      } else if (event.reason !== 'end-of-audio' && this.realTimePaced()) {
        u.dueAt = Date.now() + REAL_TIME_FINALS_DUE_MS;
      }
      const endMs = u.endMs;
      this.partial.endUtterance().then(
        (heard) => {
          // Words after the end (audio the client declared silent) are not the utterance's.
          const words = heard.filter((w) => w.startMs < endMs);
          u.provisional = words;
          this.assembler.setProvisional(u.id, words);
          if (u.fallback || !this.final) this.resolve(u, words);
          this.changed();
        },
        (err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))),
      );
      this.schedule(u, u.dueAt);
    }
  }

  /**
   * The engine heard the end of the open utterance (in noise, Hark's detector may still hear
   * speech): it ends as at a pause, so with endpoint detection `<end>` follows its finals. Speech
   * after this point opens a new utterance.
   */
  private engineEndpoint(): void {
    this.handle(this.segmenter.cut().map((event) => (event.type === 'utterance-end' ? { ...event, reason: 'pause' as const } : event)), true);
  }

  /** True unless the client sends audio well ahead of real time. */
  private realTimePaced(): boolean {
    return this.firstPushAt === null || this.audioMs - (Date.now() - this.firstPushAt) <= AHEAD_OF_REAL_TIME_MS;
  }

  /** Hands the open utterance's samples up to `toSample` to the fast pass. */
  private feedOpenUtterance(toSample: number, u = this.open): void {
    if (!u) return;
    for (let from = this.fedTo; from < toSample; from += FEED_CHUNK_SAMPLES) {
      const samples = this.buffer.copy(from, Math.min(toSample, from + FEED_CHUNK_SAMPLES));
      if (samples.length === 0) break;
      this.inFlightSamples += samples.length;
      this.partial.feed(samples);
    }
    this.fedTo = Math.max(this.fedTo, toSample);
  }

  /**
   * Decides how a closed utterance gets its finals: the accurate pass, with
   * a fallback to the fast pass's words at `dueAt` (or at once, when the
   * accurate pass could not finish in time anyway).
   */
  private schedule(u: Utterance, dueAt: number | null): void {
    if (u.endMs === null || u.resolved || u.fallback || !this.final) return;
    u.dueAt = dueAt;
    const durationMs = u.endMs - u.startMs;
    if (dueAt !== null && Date.now() + this.final.estimateMs(durationMs) > dueAt) {
      this.fallBack(u);
      return;
    }
    if (!u.request) {
      const request = new AbortController();
      u.request = request;
      const samples = u.samples!;
      u.samples = null;
      this.final.recognize(samples, u.startMs, request.signal).then(
        (words) => {
          u.request = null;
          this.resolve(u, words);
          this.changed();
        },
        (err: unknown) => {
          u.request = null;
          if (!request.signal.aborted) this.fail(err instanceof Error ? err : new Error(String(err)));
        },
      );
    }
    if (u.timer) clearTimeout(u.timer);
    u.timer = dueAt === null ? null : setTimeout(() => this.overdue(u), Math.max(0, dueAt - Date.now()));
  }

  /** Finals of `u` are due: it and every earlier utterance settle for the fast pass's words. */
  private overdue(u: Utterance): void {
    for (const other of this.utterances.values()) {
      if (other.id <= u.id && other.endMs !== null) this.fallBack(other);
    }
    this.changed();
  }

  private fallBack(u: Utterance): void {
    if (u.resolved || u.fallback) return;
    u.fallback = true;
    this.cancel(u);
    if (u.provisional) this.resolve(u, u.provisional);
  }

  private resolve(u: Utterance, words: RecognizedWord[]): void {
    if (u.resolved) return;
    u.resolved = true;
    this.cancel(u);
    this.utterances.delete(u.id);
    this.assembler.resolve(u.id, words);
  }

  private cancel(u: Utterance): void {
    if (u.timer) clearTimeout(u.timer);
    u.timer = null;
    u.request?.abort();
    u.request = null;
    u.samples = null;
  }

  private changed(): void {
    if (this.closed) return;
    this.events.changed();
    this.checkDrained();
  }

  /** Ends a waiting {@link end} once every final has been taken. */
  private checkDrained(): void {
    if (this.ended && this.drained && !this.assembler.hasPending() && !this.assembler.hasHeldFinals()) {
      const drained = this.drained;
      this.drained = null;
      drained();
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.close();
    this.events.failed(err);
  }
}
