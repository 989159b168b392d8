/**
 * Worker processes for live sessions, so recognition never runs on the
 * server's event loop: `fast` workers each host many streams (one decoder
 * per stream) for provisional words; `accurate` workers recognise finished
 * utterances one at a time for final words. Utterances wait in one queue
 * per session and are served round-robin, so a client sending faster than
 * real time cannot starve the others. Workers start with the first session
 * and stay, with their decoders, for the next ones. They are processes, not
 * threads, for the reason the async pool's are: a crash of the native engine
 * ends the sessions of one worker (503), not the server.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RecognitionContext } from '../pipeline/context/recognition-context.js';
import type { EngineSettings } from '../pipeline/engines/engine-settings.js';
import type { PocketSphinxModel } from '../pipeline/engines/pocketsphinx/model.js';
import type { RecognizedWord } from '../pipeline/engines/speech-engine.js';
import type { FinalRecognizer, LiveRecognition, PartialEvents, PartialRecognizer } from '../pipeline/stream.js';
import { deserializeError } from './recognition-messages.js';
import {
  type FromRealtimeWorker,
  REALTIME_WORKER_SETUP_ENV,
  type RealtimeWorkerRole,
  type RealtimeWorkerSetup,
  type ToRealtimeWorker,
} from './realtime-recognition-messages.js';
import { setRef, terminate } from './worker-process.js';

export interface RealtimeRecognitionPoolOptions {
  /** Processes of each role. */
  workers: number;
  model?: PocketSphinxModel;
  /**
   * The accurate workers' batch engine, default PocketSphinx; null: no
   * accurate workers, the final pass is elsewhere (recognition.ts composes
   * one over a remote engine), and {@link openFinal} must not be called.
   */
  finalEngine?: EngineSettings | null;
  /** The fast workers' streaming engine, default PocketSphinx with the fast-pass search. */
  partialEngine?: EngineSettings;
  /** The worker script; tests substitute a scripted one. */
  workerUrl?: URL;
}

interface Slot {
  role: RealtimeWorkerRole;
  worker: ChildProcess;
  ready: boolean;
  /** fast: the streams it hosts. */
  streams: Map<number, StreamHandle>;
  /** accurate: the utterance it is recognising. */
  job: Job | null;
  crash: Error | null;
}

interface StreamHandle {
  id: number;
  slot: Slot;
  events: PartialEvents;
  enders: { resolve(words: RecognizedWord[]): void; reject(err: Error): void }[];
  closed: boolean;
}

interface Job {
  id: number;
  samples: Int16Array;
  offsetMs: number;
  audioMs: number;
  context: RecognitionContext | null;
  resolve(words: RecognizedWord[]): void;
  reject(err: unknown): void;
  settled: boolean;
}

const DEFAULT_WORKER_URL = new URL('./realtime-recognition-worker.js', import.meta.url);
/** Accurate-pass CPU time per audio time before any was measured (measured: 0.15 to 0.35). */
const INITIAL_REAL_TIME_FACTOR = 0.3;
/** Per-utterance overhead of the estimate: messaging and scheduling. */
const ESTIMATE_OVERHEAD_MS = 30;

/**
 * @example
 * const pool = new RealtimeRecognitionPool({ workers: 2 });
 * const live = new LiveTranscription(pool, options, events);
 * await pool.close();
 */
export class RealtimeRecognitionPool implements LiveRecognition {
  private readonly size: number;
  private readonly setup: { model?: PocketSphinxModel };
  private readonly finalEngine: EngineSettings | null | undefined;
  private readonly partialEngine: EngineSettings | undefined;
  private readonly workerUrl: URL;
  private readonly slots = new Set<Slot>();
  /** Sessions' utterance queues, in round-robin order. */
  private readonly queues: Job[][] = [];
  private started = false;
  private closed = false;
  private broken: Error | null = null;
  private nextId = 1;
  private realTimeFactor = INITIAL_REAL_TIME_FACTOR;

  /** @throws {RangeError} unless `workers` is a positive integer. */
  constructor(options: RealtimeRecognitionPoolOptions) {
    if (!(Number.isInteger(options.workers) && options.workers >= 1)) throw new RangeError('workers must be a positive integer');
    this.size = options.workers;
    this.setup = options.model ? { model: options.model } : {};
    this.finalEngine = options.finalEngine;
    this.partialEngine = options.partialEngine;
    this.workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL;
  }

  openPartial(events: PartialEvents, context: RecognitionContext | null = null): PartialRecognizer {
    this.start();
    const slot = [...this.slots]
      .filter((s) => s.role === 'fast')
      .reduce<Slot | null>((best, s) => (best === null || s.streams.size < best.streams.size ? s : best), null);
    const stream: StreamHandle = { id: this.nextId++, slot: slot!, events, enders: [], closed: false };
    if (this.unusable() || !slot) {
      const err = this.unusable() ?? new Error('Real-time recognition is unavailable');
      queueMicrotask(() => events.failed(err));
      stream.closed = true;
    } else {
      slot.streams.set(stream.id, stream);
      this.post(slot, { type: 'open', streamId: stream.id, context });
      this.updateRefs();
    }
    const send = (message: ToRealtimeWorker) => {
      if (!stream.closed) this.post(stream.slot, message);
    };
    return {
      startUtterance: (utteranceId, offsetMs) => send({ type: 'start', streamId: stream.id, utteranceId, offsetMs }),
      feed: (samples) => send({ type: 'audio', streamId: stream.id, samples }),
      endUtterance: () =>
        new Promise<RecognizedWord[]>((resolve, reject) => {
          if (stream.closed) return reject(new Error('The stream is closed'));
          stream.enders.push({ resolve, reject });
          send({ type: 'end', streamId: stream.id });
        }),
      close: () => {
        if (stream.closed) return;
        send({ type: 'close', streamId: stream.id });
        this.dropStream(stream, new Error('The stream is closed'));
      },
    };
  }

  openFinal(context: RecognitionContext | null = null): FinalRecognizer {
    this.start();
    const queue: Job[] = [];
    this.queues.push(queue);
    return {
      recognize: (samples, offsetMs, signal) =>
        new Promise<RecognizedWord[]>((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason);
          const unusable = this.unusable();
          if (unusable) return reject(unusable);
          const job: Job = {
            id: this.nextId++, samples, offsetMs, audioMs: samples.length / 16, context, settled: false,
            resolve: (words) => {
              job.settled = true;
              signal.removeEventListener('abort', onAbort);
              resolve(words);
            },
            reject: (err) => {
              job.settled = true;
              signal.removeEventListener('abort', onAbort);
              reject(err);
            },
          };
          // A queued job is dropped; a running one finishes unheard.
          const onAbort = () => {
            const at = queue.indexOf(job);
            if (at >= 0) queue.splice(at, 1);
            if (!job.settled) job.reject(signal.reason);
            this.updateRefs();
          };
          signal.addEventListener('abort', onAbort, { once: true });
          queue.push(job);
          this.dispatch();
          this.updateRefs();
        }),
      estimateMs: (audioMs) => {
        const workers = [...this.slots].filter((s) => s.role === 'accurate');
        const waiting = this.queues.reduce((sum, q) => sum + q.reduce((n, j) => n + j.audioMs, 0), 0);
        const running = workers.reduce((sum, s) => sum + (s.job ? s.job.audioMs / 2 : 0), 0);
        return ((waiting + running) / Math.max(1, workers.length) + audioMs) * this.realTimeFactor + ESTIMATE_OVERHEAD_MS;
      },
      close: () => {
        const err = new Error('The stream is closed');
        for (const job of queue.splice(0)) job.reject(err);
        const at = this.queues.indexOf(queue);
        if (at >= 0) this.queues.splice(at, 1);
        this.updateRefs();
      },
    };
  }

  /** Fails every stream and job and stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('Real-time recognition is shut down');
    for (const queue of this.queues.splice(0)) for (const job of queue.splice(0)) job.reject(err);
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      for (const stream of slot.streams.values()) this.dropStream(stream, err);
      if (slot.job && !slot.job.settled) slot.job.reject(err);
      exits.push(terminate(slot.worker));
    }
    this.slots.clear();
    await Promise.all(exits);
  }

  private unusable(): Error | null {
    if (this.closed) return new Error('Real-time recognition is shut down');
    return this.broken;
  }

  private start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    for (let i = 0; i < this.size; i++) {
      this.spawn('fast');
      if (this.finalEngine !== null) this.spawn('accurate');
    }
  }

  private spawn(role: RealtimeWorkerRole): Slot {
    const setup: RealtimeWorkerSetup = { role, ...this.setup };
    if (role === 'accurate' && this.finalEngine) setup.engine = this.finalEngine;
    if (role === 'fast' && this.partialEngine) setup.partialEngine = this.partialEngine;
    const worker = fork(fileURLToPath(this.workerUrl), [], {
      env: { ...process.env, [REALTIME_WORKER_SETUP_ENV]: JSON.stringify(setup) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    setRef(worker, this.hasWork());
    const slot: Slot = { role, worker, ready: false, streams: new Map(), job: null, crash: null };
    this.slots.add(slot);
    worker.on('message', (message: FromRealtimeWorker) => this.onMessage(slot, message));
    worker.on('error', (err) => {
      slot.crash = err;
    });
    worker.on('exit', (code, signal) => this.onExit(slot, code ?? signal ?? 'unknown'));
    return slot;
  }

  private onMessage(slot: Slot, message: FromRealtimeWorker): void {
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        this.dispatch();
        return;
      case 'init-error':
        this.fail(new Error(`Speech engine could not be loaded: ${message.error.message}`));
        return;
      case 'progress': {
        const stream = slot.streams.get(message.streamId);
        stream?.events.progress(message.utteranceId, message.words, message.samples, message.positionMs, message.endpoint === true);
        return;
      }
      case 'ended':
        slot.streams.get(message.streamId)?.enders.shift()?.resolve(message.words);
        return;
      case 'stream-error': {
        const stream = slot.streams.get(message.streamId);
        if (stream) this.failStream(stream, deserializeError(message.error));
        return;
      }
      case 'recognized':
      case 'job-error': {
        const job = slot.job;
        if (!job || job.id !== message.jobId) return;
        slot.job = null;
        if (message.type === 'recognized') {
          if (job.audioMs >= 500) this.realTimeFactor = 0.8 * this.realTimeFactor + 0.2 * (message.elapsedMs / job.audioMs);
          if (!job.settled) job.resolve(message.words);
        } else if (!job.settled) job.reject(deserializeError(message.error));
        this.dispatch();
        this.updateRefs();
        return;
      }
    }
  }

  private onExit(slot: Slot, code: number | string): void {
    if (!this.slots.delete(slot)) return; // terminated on purpose
    const err = new Error(`Real-time recognition worker exited (code ${code})${slot.crash ? `: ${slot.crash.message}` : ''}`);
    if (!slot.ready) {
      // Dying before it is ready would die again: stop rather than respawn forever.
      this.fail(err);
      return;
    }
    for (const stream of slot.streams.values()) this.failStream(stream, err);
    if (slot.job && !slot.job.settled) slot.job.reject(err);
    if (!this.closed && !this.broken) this.spawn(slot.role);
    this.dispatch();
  }

  /** Gives idle accurate workers the next utterance, taking sessions in turn. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.role !== 'accurate' || !slot.ready || slot.job) continue;
      const at = this.queues.findIndex((q) => q.length > 0);
      if (at < 0) return;
      const queue = this.queues[at]!;
      const job = queue.shift()!;
      // The session just served goes to the back of the line.
      this.queues.splice(at, 1);
      this.queues.push(queue);
      slot.job = job;
      this.post(slot, { type: 'recognize', jobId: job.id, samples: job.samples, offsetMs: job.offsetMs, context: job.context });
    }
  }

  private failStream(stream: StreamHandle, err: Error): void {
    if (stream.closed) return;
    this.dropStream(stream, err);
    stream.events.failed(err);
  }

  private dropStream(stream: StreamHandle, err: Error): void {
    stream.closed = true;
    stream.slot?.streams.delete(stream.id);
    for (const ender of stream.enders.splice(0)) ender.reject(err);
    this.updateRefs();
  }

  /** Streams open, or utterances queued or being recognised. */
  private hasWork(): boolean {
    return [...this.slots].some((s) => s.streams.size > 0 || s.job !== null) || this.queues.some((q) => q.length > 0);
  }

  /** Workers keep the server process alive only while they have work: idle ones must not hold up its exit. */
  private updateRefs(): void {
    const ref = this.hasWork();
    for (const slot of this.slots) setRef(slot.worker, ref);
  }

  private fail(err: Error): void {
    if (this.broken) return;
    this.broken = err;
    for (const queue of this.queues) for (const job of queue.splice(0)) job.reject(err);
    for (const slot of this.slots) {
      for (const stream of slot.streams.values()) this.failStream(stream, err);
      if (slot.job && !slot.job.settled) slot.job.reject(err);
    }
  }

  private post(slot: Slot, message: ToRealtimeWorker): void {
    // A worker that just died cannot take messages; its exit handler fails its streams.
    if (slot.worker.connected) slot.worker.send(message);
  }
}
