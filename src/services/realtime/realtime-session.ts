/**
 * One WebSocket session of the real-time API (API.md §7) as an explicit
 * state machine:
 *
 *   awaiting-start → starting → streaming → finishing → finished
 *   (any state) → failed   (an error message was sent, then the socket closed)
 *   (any state) → closed   (the client went away)
 *
 * Frames are handled strictly in arrival order, each after the previous
 * one's asynchronous work (admission, decoder flush), so audio sent right
 * after the start message, or around a finalize, is never reordered.
 */
import { AudioDecodeError } from '../../pipeline/decode/errors.js';
import { diarizationThread } from '../../pipeline/diarization/threaded-live-diarizer.js';
import { type StreamDecoder, openStreamDecoder } from '../../pipeline/decode/stream-decoder.js';
import { ENGINE_SAMPLE_RATE } from '../../pipeline/engines/speech-engine.js';
import { type LiveRecognition, LiveTranscription } from '../../pipeline/stream.js';
import type { VoiceDetector } from '../../pipeline/segmentation/speech-classifier.js';
import type { TranscriptUpdate } from '../../pipeline/tokens/transcript-assembler.js';
import { withoutLanguages } from '../../pipeline/tokens/token.js';
import { CANNOT_CONTINUE, RealtimeError, realtimeErrors } from '../../api/realtime-errors.js';
import { StorageUnavailableError } from '../../storage/storage-errors.js';
import { type StartRequest, parseControlMessage, parseStartRequest } from '../../api/schemas/realtime.js';
import type { LiveTranslation } from '../../pipeline/translation/live-translation.js';
import type { TranslationService } from '../translation/translation-service.js';
import type { AdmittedSession } from './realtime-service.js';

export type SessionState = 'awaiting-start' | 'starting' | 'streaming' | 'finishing' | 'finished' | 'failed' | 'closed';

export interface StateChange {
  from: SessionState;
  to: SessionState;
  reason: string;
}

/** The connection, as the session sees it (implemented in edge/ws). */
export interface SessionTransport {
  /** A result message; `finished` marks the last one. */
  sendResult(update: TranscriptUpdate, finished: boolean): void;
  sendError(error: RealtimeError): void;
  /** Closes the connection normally (code 1000). */
  close(): void;
  /** Stops reading from the socket (TCP backpressure reaches the client). */
  pauseInput(): void;
  resumeInput(): void;
  /** Bytes queued for the client and not yet handed to the network. */
  bufferedBytes(): number;
  /** True when the client sent bytes that input has not read yet (it was paused). */
  unreadInput(): boolean;
}

/** The subset of pino the session logs through. */
export interface SessionLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SessionSettings {
  startTimeoutMs: number;
  idleTimeoutMs: number;
  maxAudioDurationMs: number;
  /** Results queued for the client beyond which input pauses and results coalesce. */
  maxUnreadBytes: number;
  /** How long queued results may stay above `maxUnreadBytes` before the client counts as not reading. */
  unreadTimeoutMs: number;
  /** What tells speech from pauses (default energy). */
  vad?: VoiceDetector;
}

const TERMINAL: ReadonlySet<SessionState> = new Set(['finished', 'failed', 'closed']);
const FLOW_POLL_MS = 50;
const SAMPLES_PER_MS = ENGINE_SAMPLE_RATE / 1000;

function asRealtimeError(err: unknown): RealtimeError {
  if (err instanceof RealtimeError) return err;
  if (err instanceof AudioDecodeError) return realtimeErrors.audioDecode(err);
  if (err instanceof StorageUnavailableError) return realtimeErrors.cannotContinue(CANNOT_CONTINUE.storageUnavailable, err);
  return realtimeErrors.internal(err);
}

/**
 * @example
 * const session = service.openSession(transport, upgradeKey);
 * socket.on('message', (data, isBinary) => session.receive(data, isBinary));
 * socket.on('close', () => session.disconnected());
 */
export class RealtimeSession {
  private state: SessionState = 'awaiting-start';
  private readonly listeners: ((change: StateChange) => void)[] = [];
  private work: Promise<void> = Promise.resolve();
  private admitted: AdmittedSession | null = null;
  private decoder: StreamDecoder | null = null;
  private live: LiveTranscription | null = null;
  /** Language labels and translation between the live transcript and the client; null when not asked for. */
  private languageStage: LiveTranslation | null = null;
  private bytesReceived = 0;
  private decodedSamples = 0;
  private decoderBlocked = false;
  private inputPaused = false;
  private flushPending = false;
  private readonly timers = {
    start: null as NodeJS.Timeout | null,
    idle: null as NodeJS.Timeout | null,
    maxSession: null as NodeJS.Timeout | null,
    flow: null as NodeJS.Timeout | null,
    unread: null as NodeJS.Timeout | null,
  };

  constructor(
    private readonly transport: SessionTransport,
    private readonly admit: (request: StartRequest) => Promise<AdmittedSession>,
    private readonly recognition: LiveRecognition,
    private readonly settings: SessionSettings,
    private readonly log: SessionLogger,
    private readonly languages: TranslationService,
  ) {
    this.timers.start = setTimeout(() => this.fail(realtimeErrors.startTimeout()), settings.startTimeoutMs);
  }

  get currentState(): SessionState {
    return this.state;
  }

  /** Audio decoded so far: what the session has used. */
  get audioDurationMs(): number {
    return this.decodedSamples / SAMPLES_PER_MS;
  }

  on(event: 'state-change', listener: (change: StateChange) => void): void {
    if (event === 'state-change') this.listeners.push(listener);
  }

  /** One WebSocket frame from the client. Frames after the end of the stream are ignored. */
  receive(data: Buffer, binary: boolean): void {
    if (TERMINAL.has(this.state)) return;
    // The client is active when a frame arrives, even if an earlier one's work (a finalize) still holds it.
    this.touch();
    this.work = this.work.then(() => this.handle(data, binary)).catch((err: unknown) => this.fail(asRealtimeError(err)));
  }

  /** The client closed the connection (or it broke). */
  disconnected(): void {
    if (TERMINAL.has(this.state)) return;
    this.cleanup();
    this.setState('closed', 'client disconnected');
  }

  /** Sends `error` to the client, closes the connection and stops everything. */
  fail(error: RealtimeError): void {
    if (TERMINAL.has(this.state)) return;
    // Only our own failures are errors. A client's mistakes, and limits it ran
    // into, are debug: a client in a loop must not be able to flood the log.
    if (error.code >= 500) this.log.error({ err: error.cause ?? error }, 'real-time session failed');
    else this.log.debug({ code: error.code, reason: error.message, cause: error.cause }, 'real-time session refused');
    this.transport.sendError(error);
    this.transport.close();
    this.cleanup();
    this.setState('failed', error.message);
  }

  private async handle(data: Buffer, binary: boolean): Promise<void> {
    switch (this.state) {
      case 'awaiting-start':
        return this.start(data, binary);
      case 'streaming':
        this.touch();
        if (data.length === 0) return this.finish();
        if (binary) return this.audio(data);
        return this.control(data.toString('utf8'));
      default:
        // finishing: frames after the end frame are ignored (API.md §7.6).
        return;
    }
  }

  private async start(data: Buffer, binary: boolean): Promise<void> {
    if (binary) throw realtimeErrors.startNotText();
    const request = parseStartRequest(data.toString('utf8'));
    this.setState('starting', 'start request received');
    const admitted = await this.admit(request);
    // The start timeout fired, or the client left, while the key was checked.
    if (TERMINAL.has(this.state)) {
      admitted.release();
      return;
    }
    this.admitted = admitted;
    const { config } = admitted;
    this.live = new LiveTranscription(
      this.recognition,
      {
        endpointDetection: config.endpointDetection,
        maxEndpointDelayMs: config.maxEndpointDelayMs,
        endpointSensitivity: config.endpointSensitivity,
        endpointLatencyAdjustmentLevel: config.endpointLatencyAdjustmentLevel,
        context: config.context,
        language: config.languageHint ?? null,
        diarization: config.speakerDiarization ? diarizationThread() : null,
        voiceDetector: this.settings.vad ?? 'energy',
      },
      {
        changed: () => {
          this.scheduleFlush();
          this.updateFlow();
        },
        failed: (err) => this.fail(realtimeErrors.cannotContinue(CANNOT_CONTINUE.recognitionFailed, err)),
      },
    );
    this.languageStage = this.languages.openLive(config.languages, {
      changed: () => this.scheduleFlush(),
      // A run without its translation is better than ending the session: its transcript stands.
      failed: (err) => this.log.error({ err }, 'translation failed; the run stays untranslated'),
      translated: (delayMs) => this.log.debug({ delayMs: Math.round(delayMs) }, 'translation sent'),
    });
    this.decoder = openStreamDecoder(config.audioFormat, config.raw, {
      pcm: (samples) => this.pcm(samples),
      error: (err) => this.fail(asRealtimeError(err)),
      drain: () => {
        this.decoderBlocked = false;
        this.updateFlow();
      },
    });
    clearTimeout(this.timers.start!);
    if (admitted.maxSessionMs !== null) {
      this.timers.maxSession = setTimeout(() => this.fail(realtimeErrors.requestTimeout()), admitted.maxSessionMs);
    }
    this.setState('streaming', 'admitted');
    this.touch();
  }

  private audio(bytes: Buffer): void {
    this.bytesReceived += bytes.length;
    if (!this.decoder!.write(bytes)) {
      this.decoderBlocked = true;
      this.updateFlow();
    }
  }

  private async control(text: string): Promise<void> {
    const message = parseControlMessage(text);
    if (message.type === 'keepalive') return;
    // Everything received so far must be decoded before the cut is made.
    await this.decoder!.settle();
    if (this.state === 'streaming') this.live!.finalize(message.trailingSilenceMs);
  }

  private pcm(samples: Int16Array): void {
    if (TERMINAL.has(this.state)) return;
    this.decodedSamples += samples.length;
    if (this.decodedSamples / SAMPLES_PER_MS > this.settings.maxAudioDurationMs) {
      this.fail(realtimeErrors.audioTooLong());
      return;
    }
    this.live!.push(samples);
  }

  private async finish(): Promise<void> {
    this.setState('finishing', 'end of audio');
    this.stopIdleTimer();
    if (this.bytesReceived === 0) throw realtimeErrors.noAudio();
    await this.decoder!.end();
    await this.live!.end();
    await this.languageStage?.settle(this.live!.take());
    if (this.state !== 'finishing') return;
    this.transport.sendResult(this.results(true)!, true);
    this.transport.close();
    this.cleanup();
    this.setState('finished', 'all results sent');
  }

  /** Results go out once per turn of the event loop, however many changes it brought. */
  private scheduleFlush(): void {
    if (this.flushPending) return;
    this.flushPending = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushPending = false;
    if (this.state !== 'streaming' && this.state !== 'finishing') return;
    // A client that does not read gets fewer, larger messages instead of a growing queue.
    if (this.transport.bufferedBytes() > this.settings.maxUnreadBytes) {
      this.flushPending = true;
      setTimeout(() => this.flush(), FLOW_POLL_MS);
      return;
    }
    // Runs from a timer, outside the session's work chain: an error here must
    // end this session, never escape to the process.
    try {
      const update = this.results();
      if (update) this.transport.sendResult(update, false);
    } catch (err) {
      this.fail(asRealtimeError(err));
    }
  }

  /** The next result message: the live transcript's, through the language stage when there is one. */
  private results(always = false): TranscriptUpdate | null {
    const update = this.live!.take(always);
    if (this.languageStage) return this.languageStage.apply(update, always);
    return update && { ...update, tokens: withoutLanguages(update.tokens) };
  }

  /** Pauses reading the socket while decoding or recognition is behind, or the client is not reading. */
  private updateFlow(): void {
    if (this.state !== 'streaming') return;
    const unread = this.transport.bufferedBytes() > this.settings.maxUnreadBytes;
    this.watchUnread(unread);
    const behind = this.decoderBlocked || this.live!.busy || unread;
    if (behind && !this.inputPaused) {
      this.inputPaused = true;
      this.transport.pauseInput();
    } else if (!behind && this.inputPaused) {
      this.inputPaused = false;
      this.transport.resumeInput();
    }
    if (this.inputPaused && !this.timers.flow) {
      this.timers.flow = setTimeout(() => {
        this.timers.flow = null;
        this.updateFlow();
      }, FLOW_POLL_MS);
    }
  }

  /**
   * A client whose results stay queued above the bound has stopped reading;
   * it must not keep its slot (and the memory its results hold) forever.
   */
  private watchUnread(unread: boolean): void {
    if (!unread) {
      if (this.timers.unread) clearTimeout(this.timers.unread);
      this.timers.unread = null;
      return;
    }
    if (this.timers.unread) return;
    this.timers.unread = setTimeout(() => {
      this.timers.unread = null;
      const bufferedBytes = this.transport.bufferedBytes();
      if (bufferedBytes <= this.settings.maxUnreadBytes) return;
      this.log.info({ bufferedBytes, unreadTimeoutMs: this.settings.unreadTimeoutMs }, 'real-time client stopped reading');
      this.fail(realtimeErrors.requestTimeout());
    }, this.settings.unreadTimeoutMs);
  }

  /** Restarts the idle timeout: audio or a keepalive arrived. It keeps running while input is paused. */
  private touch(): void {
    if (this.state !== 'streaming') return;
    this.stopIdleTimer();
    this.timers.idle = setTimeout(() => this.idle(), this.settings.idleTimeoutMs);
  }

  private idle(): void {
    this.timers.idle = null;
    // Paused input (or input just resumed) hides what the client sent: bytes
    // waiting unread mean it is not idle.
    if (this.transport.unreadInput()) return this.touch();
    this.fail(this.bytesReceived === 0 ? realtimeErrors.firstAudioTimeout() : realtimeErrors.requestTimeout());
  }

  private stopIdleTimer(): void {
    if (this.timers.idle) clearTimeout(this.timers.idle);
    this.timers.idle = null;
  }

  private cleanup(): void {
    for (const timer of Object.values(this.timers)) if (timer) clearTimeout(timer);
    this.decoder?.destroy();
    this.live?.close();
    this.languageStage?.close();
    this.admitted?.release();
    if (this.inputPaused) this.transport.resumeInput();
  }

  private setState(to: SessionState, reason: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    for (const listener of this.listeners) listener({ from, to, reason });
  }
}
