/**
 * One live session: the microphone, recorded by MediaRecorder as WebM/Opus
 * (what Soniox's browser SDK sends, with `audio_format: "auto"`), streamed
 * over Hark's WebSocket with a single-use temporary key.
 */
import type { WireToken } from '../../../src/lib/transcript-segments.js';
import type { HarkApi, TranslationConfig } from '../api.js';

export interface LiveSettings {
  model: string;
  enableSpeakerDiarization: boolean;
  enableLanguageIdentification: boolean;
  translation: TranslationConfig | null;
}

export interface LiveResult {
  tokens: WireToken[];
  finalAudioMs: number;
  totalAudioMs: number;
}

export interface LiveSessionEvents {
  result(result: LiveResult): void;
  /** The server sent `finished`: every token is final. */
  finished(): void;
  /** The session ended early; `message` says why, for people. */
  failed(message: string): void;
}

/** MediaRecorder slices: short, so words reach the server soon after they are said. */
const TIMESLICE_MS = 100;

/** Why the microphone could not be opened, in words a user can act on. */
function microphoneErrorMessage(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Microphone access was denied. Allow the microphone for this site (the icon in the address bar), then press Start again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Connect one and press Start again.';
    case 'NotReadableError':
      return 'The microphone could not be started: another application may be using it.';
    default:
      return `The microphone could not be opened${error instanceof Error ? `: ${error.message}` : '.'}`;
  }
}

/** A WebSocket error frame (`error_code`, `error_message`) in words a user can act on. */
function serverErrorMessage(code: number, message: string): string {
  switch (code) {
    case 400:
      return `Hark could not use this session's settings or audio: ${message}`;
    case 401:
      return `Hark refused the session's key: ${message} Sign out and sign in again.`;
    case 402:
    case 429:
      return `Hark is at its limit of live sessions: ${message} Try again in a moment.`;
    case 408:
      return `The session timed out: ${message}`;
    case 503:
      return `Hark cannot continue this session: ${message}`;
    default:
      return `Hark had an error (${code}): ${message}`;
  }
}

function recorderOptions(): MediaRecorderOptions {
  const mimeType = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'].find((t) => MediaRecorder.isTypeSupported(t));
  return mimeType ? { mimeType } : {};
}

export class LiveSession {
  #socket: WebSocket | null = null;
  /** Audio recorded before the socket opened, sent first and in order (the container header is in the first chunk). */
  #pending: Blob[] = [];
  #ended = false;

  private constructor(
    private readonly microphone: MediaStream,
    private readonly recorder: MediaRecorder,
    private readonly events: LiveSessionEvents,
  ) {}

  /**
   * Opens the microphone, starts recording at once (so no word is lost while
   * connecting), mints a temporary key and connects.
   *
   * @throws Error with a message for people when the microphone cannot be used.
   */
  static async start(api: HarkApi, settings: LiveSettings, events: LiveSessionEvents): Promise<LiveSession> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('This page cannot use the microphone: open Hark at https:// or at localhost / 127.0.0.1.');
    }
    if (typeof MediaRecorder === 'undefined') throw new Error('This browser cannot record audio (no MediaRecorder).');
    let microphone: MediaStream;
    try {
      microphone = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      throw new Error(microphoneErrorMessage(err));
    }
    const session = new LiveSession(microphone, new MediaRecorder(microphone, recorderOptions()), events);
    session.#record();
    try {
      session.#connect(await api.temporaryKey(), settings);
    } catch (err) {
      session.#fail(err instanceof Error ? err.message : String(err));
    }
    return session;
  }

  /** Stops recording; the server then finalizes what it has and sends `finished`. */
  stop(): void {
    if (this.recorder.state !== 'inactive') this.recorder.stop();
    this.#releaseMicrophone();
  }

  /** Ends at once, without waiting for final results. */
  cancel(): void {
    this.#ended = true;
    if (this.recorder.state !== 'inactive') this.recorder.stop();
    this.#releaseMicrophone();
    this.#socket?.close();
  }

  #record(): void {
    this.recorder.addEventListener('dataavailable', (event) => {
      if (event.data.size === 0 || this.#ended) return;
      if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(event.data);
      else this.#pending.push(event.data);
    });
    // The last chunk comes before `stop`; only then is the end of audio sent.
    this.recorder.addEventListener('stop', () => this.#endAudio());
    this.recorder.start(TIMESLICE_MS);
  }

  #connect(apiKey: string, settings: LiveSettings): void {
    if (this.#ended) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/transcribe-websocket`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    let finished = false;
    socket.addEventListener('open', () => {
      socket.send(
        JSON.stringify({
          api_key: apiKey,
          model: settings.model,
          audio_format: 'auto',
          enable_endpoint_detection: true,
          enable_speaker_diarization: settings.enableSpeakerDiarization,
          enable_language_identification: settings.enableLanguageIdentification,
          ...(settings.translation ? { translation: settings.translation } : {}),
        }),
      );
      for (const chunk of this.#pending) socket.send(chunk);
      this.#pending = [];
      if (this.recorder.state === 'inactive') this.#endAudio();
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const message = JSON.parse(event.data) as {
        tokens?: WireToken[];
        final_audio_proc_ms?: number;
        total_audio_proc_ms?: number;
        finished?: boolean;
        error_code?: number;
        error_message?: string;
      };
      if (message.error_code !== undefined || message.error_message !== undefined) {
        this.#fail(serverErrorMessage(message.error_code ?? 0, message.error_message ?? ''));
        return;
      }
      this.events.result({
        tokens: message.tokens ?? [],
        finalAudioMs: message.final_audio_proc_ms ?? 0,
        totalAudioMs: message.total_audio_proc_ms ?? 0,
      });
      if (message.finished === true) {
        finished = true;
        this.#ended = true;
        this.events.finished();
      }
    });
    socket.addEventListener('close', (event) => {
      if (!finished) this.#fail(`The connection to Hark closed before the session finished (code ${event.code}).`);
    });
  }

  /** An empty frame: the end of audio (API.md §7.6). */
  #endAudio(): void {
    if (this.#socket?.readyState === WebSocket.OPEN && !this.#ended) this.#socket.send('');
  }

  #fail(message: string): void {
    if (this.#ended) return;
    this.cancel();
    this.events.failed(message);
  }

  #releaseMicrophone(): void {
    for (const track of this.microphone.getTracks()) track.stop();
  }
}
