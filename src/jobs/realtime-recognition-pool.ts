/**
 * Worker processes for live sessions, so recognition never runs on the
 * server's event loop. Each worker hosts many streams, one decoder per
 * stream; a stream's decoder gives its words while the speaker talks and
 * its final words at the end of each utterance (one pass: see
 * docs/realtime.md). Workers start with the server: the first one measures
 * the engine's speed on this machine, which with the machine's load sets
 * how many sessions the server can take ({@link RealtimeRecognitionPool.capacity}),
 * and each then builds a few decoders ahead, as many as that can use. They are processes, not threads, for the
 * reason the async pool's are: a crash of the native engine ends the
 * sessions of one worker (503), not the server.
 *
 * A batch-only local engine (an offline sherpa-onnx model) makes the final
 * words in `final` workers of the same pool instead, one finished utterance
 * at a time (its native calls are synchronous, so never on the event loop):
 * utterances wait in one queue per session, served round-robin, so a client
 * sending faster than real time cannot starve the others.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RecognitionContext } from '../pipeline/context/recognition-context.js';
import type { EngineSettings } from '../pipeline/engines/engine-settings.js';
import type { PocketSphinxModel } from '../pipeline/engines/pocketsphinx/model.js';
import type { RecognizedWord } from '../pipeline/engines/speech-engine.js';
import type { FinalRecognizer, LiveRecognition, PartialEvents, PartialRecognizer } from '../pipeline/stream.js';
import { deserializeError } from './recognition-messages.js';
import {
  type Calibration,
  type FromRealtimeWorker,
  REALTIME_WORKER_SETUP_ENV,
  type RealtimeWorkerRole,
  type RealtimeWorkerSetup,
  type ToRealtimeWorker,
} from './realtime-recognition-messages.js';
import { setRef, startDeadline, terminate, WORKER_START_TIMEOUT_MS } from './worker-process.js';
import { CpuContention } from './cpu-contention.js';
import { takeInTurn } from '../lib/round-robin.js';

export interface RealtimeRecognitionPoolOptions {
  /** Worker processes. */
  workers: number;
  /** Decoders built ahead of sessions, over all workers (default: none). */
  warmDecoders?: number;
  model?: PocketSphinxModel;
  /**
   * A local batch engine for the final pass, in `final` workers (one per
   * stream worker); absent: the streams' own words are final and the pool
   * has no {@link RealtimeRecognitionPool.openFinal}.
   */
  finalEngine?: EngineSettings;
  /** The stream workers' engine, default PocketSphinx with the streaming search. */
  partialEngine?: EngineSettings;
  /** The worker script; tests substitute a scripted one. */
  workerUrl?: URL;
  /** What else runs on the cores (default: the kernel's run queue, sampled); tests substitute a fixed figure. */
  contention?: Pick<CpuContention, 'start' | 'stop' | 'otherThreads'>;
  /**
   * How long a computed capacity stays put (default 5 s): every session of
   * a burst meets the same limit, and a client reading it
   * (`GET /v1/concurrency-limits`) sees the one admission uses.
   */
  capacityHoldMs?: number;
  /**
   * A worker that has not loaded its engine after this long is killed and the
   * pool fails as for an engine that cannot load. Default {@link WORKER_START_TIMEOUT_MS}.
   */
  startTimeoutMs?: number;
}

/** What the start-up measurement found, and the session capacity it implies. */
export interface PoolCalibration extends Calibration {
  /** CPU time per audio time of one stream. */
  realTimeFactor: number;
  /** Other programs' runnable threads, on average, when it was made. */
  otherThreads: number;
  /** Sessions the pool can serve at once ({@link RealtimeRecognitionPool.capacity}). */
  capacity: number;
}

interface Slot {
  role: RealtimeWorkerRole;
  worker: ChildProcess;
  ready: boolean;
  /** It measures the engine's speed before it is ready. */
  calibrates: boolean;
  /** stream: the streams it hosts. */
  streams: Map<number, StreamHandle>;
  /** final: the utterance it is recognising. */
  job: Job | null;
  crash: Error | null;
  /** Runs out unless the worker reports in (ready or init-error) first. */
  startTimer: NodeJS.Timeout;
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
  /** The first language hint, for an engine that takes one (Whisper, SenseVoice); null: none. */
  language: string | null;
  resolve(words: RecognizedWord[]): void;
  reject(err: unknown): void;
  settled: boolean;
}

const DEFAULT_WORKER_URL = new URL('./realtime-recognition-worker.js', import.meta.url);
/**
 * CPU time per audio time of one stream before (or without) a
 * measurement: about that of a machine 2.5 times slower than the
 * development one (0.08 there).
 */
const UNCALIBRATED_REAL_TIME_FACTOR = 0.2;
/**
 * Share of the cores the streams may use: the rest is headroom for bursts,
 * the server's own work (decoding, messages) and async jobs.
 */
const TARGET_CORE_SHARE = 0.6;
/** Weight of each live speed report (a few seconds of audio) in the engine's cost per session. */
const LIVE_SPEED_WEIGHT = 0.3;
/** Final-pass wall time per audio time before any was measured. */
const INITIAL_FINAL_REAL_TIME_FACTOR = 0.3;
/** Per-utterance overhead of the final-pass estimate: messaging and scheduling. */
const ESTIMATE_OVERHEAD_MS = 30;

/**
 * @example
 * const pool = new RealtimeRecognitionPool({ workers: 2, warmDecoders: 4 });
 * pool.start();
 * const live = new LiveTranscription(pool, options, events);
 * await pool.close();
 */
export class RealtimeRecognitionPool implements LiveRecognition {
  /** Resolves once the first worker measured the engine (null: it could not, or the pool failed or closed). */
  readonly calibration: Promise<PoolCalibration | null>;
  private readonly size: number;
  private readonly warmPerWorker: number[];
  private readonly setup: { model?: PocketSphinxModel };
  private readonly finalEngine: EngineSettings | undefined;
  private readonly partialEngine: EngineSettings | undefined;
  private readonly workerUrl: URL;
  private readonly slots = new Set<Slot>();
  /** Sessions' utterance queues for the final workers, in round-robin order. */
  private readonly queues: Job[][] = [];
  private started = false;
  private closed = false;
  private broken: Error | null = null;
  private nextId = 1;
  private realTimeFactor = UNCALIBRATED_REAL_TIME_FACTOR;
  private finalRealTimeFactor = INITIAL_FINAL_REAL_TIME_FACTOR;
  private calibrated: (calibration: PoolCalibration | null) => void = () => {};
  private readonly contention: Pick<CpuContention, 'start' | 'stop' | 'otherThreads'>;
  private held: { capacity: number; until: number } | null = null;
  /** The calibration is in (or known not to come): workers may be told how many decoders to build. */
  private sized = false;
  private readonly capacityHoldMs: number;
  private readonly startTimeoutMs: number;

  /** @throws {RangeError} unless `workers` is a positive integer and `warmDecoders` a non-negative one. */
  constructor(options: RealtimeRecognitionPoolOptions) {
    if (!(Number.isInteger(options.workers) && options.workers >= 1)) throw new RangeError('workers must be a positive integer');
    const warm = options.warmDecoders ?? 0;
    if (!(Number.isInteger(warm) && warm >= 0)) throw new RangeError('warmDecoders must be a non-negative integer');
    this.size = options.workers;
    this.warmPerWorker = Array.from({ length: this.size }, (_, i) => Math.floor(warm / this.size) + (i < warm % this.size ? 1 : 0));
    this.setup = options.model ? { model: options.model } : {};
    this.finalEngine = options.finalEngine;
    this.partialEngine = options.partialEngine;
    this.workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL;
    this.calibration = new Promise((resolve) => (this.calibrated = resolve));
    this.capacityHoldMs = options.capacityHoldMs ?? 5000;
    this.startTimeoutMs = options.startTimeoutMs ?? WORKER_START_TIMEOUT_MS;
    this.contention = options.contention ?? new CpuContention({ ownPids: () => [...this.slots].flatMap((s) => (s.worker.pid ? [s.worker.pid] : [])) });
    if (this.finalEngine) this.openFinal = (context = null, language = null) => this.openFinalQueue(context, language);
  }

  /** Present with a {@link RealtimeRecognitionPoolOptions.finalEngine}. */
  readonly openFinal?: (context?: RecognitionContext | null, language?: string | null) => FinalRecognizer;

  /**
   * Sessions the workers can serve at once at real-time pace: the cores
   * they may use over one stream's measured share of a core (an estimate
   * until the measurement is in, then followed by what live audio costs).
   * A worker gets a core only when nothing else wants it: with other
   * programs' threads runnable, each gets about cores / (their threads +
   * ours) of one, the kernel sharing the cores evenly among runnable threads.
   */
  capacity(): number {
    const now = performance.now();
    if (this.held && now < this.held.until) return this.held.capacity;
    const machine = availableParallelism();
    const cores = Math.min(this.size, machine);
    const share = Math.min(1, machine / (this.contention.otherThreads() + cores));
    const capacity = Math.max(1, Math.floor((cores * share * TARGET_CORE_SHARE) / this.realTimeFactor));
    this.held = { capacity, until: now + this.capacityHoldMs };
    return capacity;
  }

  /** Starts the workers now rather than with the first session: they calibrate and build decoders ahead. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.contention.start();
    for (let i = 0; i < this.size; i++) {
      this.spawn('stream', i === 0, this.warmPerWorker[i]!);
      if (this.finalEngine) this.spawn('final', false, 0);
    }
  }

  openPartial(events: PartialEvents, context: RecognitionContext | null = null): PartialRecognizer {
    this.start();
    const slot = [...this.slots]
      .filter((s) => s.role === 'stream')
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

  private openFinalQueue(context: RecognitionContext | null, language: string | null): FinalRecognizer {
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
            id: this.nextId++, samples, offsetMs, audioMs: samples.length / 16, context, language, settled: false,
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
        const workers = [...this.slots].filter((s) => s.role === 'final');
        const waiting = this.queues.reduce((sum, q) => sum + q.reduce((n, j) => n + j.audioMs, 0), 0);
        const running = workers.reduce((sum, s) => sum + (s.job ? s.job.audioMs / 2 : 0), 0);
        return ((waiting + running) / Math.max(1, workers.length) + audioMs) * this.finalRealTimeFactor + ESTIMATE_OVERHEAD_MS;
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
    this.contention.stop();
    this.calibrated(null);
    const err = new Error('Real-time recognition is shut down');
    const exits: Promise<void>[] = [];
    for (const queue of this.queues.splice(0)) for (const job of queue.splice(0)) job.reject(err);
    for (const slot of this.slots) {
      for (const stream of slot.streams.values()) this.dropStream(stream, err);
      if (slot.job && !slot.job.settled) slot.job.reject(err);
      clearTimeout(slot.startTimer);
      exits.push(terminate(slot.worker));
    }
    this.slots.clear();
    await Promise.all(exits);
  }

  private unusable(): Error | null {
    if (this.closed) return new Error('Real-time recognition is shut down');
    return this.broken;
  }

  private spawn(role: RealtimeWorkerRole, calibrate: boolean, warmDecoders: number): Slot {
    const setup: RealtimeWorkerSetup = { role, ...this.setup, calibrate, warmDecoders };
    const engine = role === 'final' ? this.finalEngine : this.partialEngine;
    if (engine) setup.engine = engine;
    const worker = fork(fileURLToPath(this.workerUrl), [], {
      env: { ...process.env, [REALTIME_WORKER_SETUP_ENV]: JSON.stringify(setup) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    setRef(worker, this.hasWork());
    const startTimer = startDeadline(worker, this.startTimeoutMs, (err) => this.fail(err));
    const slot: Slot = { role, worker, ready: false, calibrates: calibrate, streams: new Map(), job: null, crash: null, startTimer };
    this.slots.add(slot);
    worker.on('message', (message: FromRealtimeWorker) => this.onMessage(slot, message));
    worker.on('error', (err) => {
      slot.crash = err;
    });
    worker.on('exit', (code, signal) => this.onExit(slot, code ?? signal ?? 'unknown', warmDecoders));
    return slot;
  }

  private onMessage(slot: Slot, message: FromRealtimeWorker): void {
    switch (message.type) {
      case 'ready':
        clearTimeout(slot.startTimer);
        slot.ready = true;
        if (slot.calibrates) this.calibrate(message.calibration);
        else this.warm(slot);
        this.dispatch();
        return;
      case 'init-error':
        clearTimeout(slot.startTimer);
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
      case 'speed':
        if (message.audioMs > 0 && message.cpuMs > 0) {
          this.realTimeFactor += (message.cpuMs / message.audioMs - this.realTimeFactor) * LIVE_SPEED_WEIGHT;
        }
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
          if (job.audioMs >= 500) this.finalRealTimeFactor = 0.8 * this.finalRealTimeFactor + 0.2 * (message.elapsedMs / job.audioMs);
          if (!job.settled) job.resolve(message.words);
        } else if (!job.settled) job.reject(deserializeError(message.error));
        this.dispatch();
        this.updateRefs();
        return;
      }
    }
  }

  /** Null: the bundled speech is not installed, the estimate stays. */
  private calibrate(measured: Calibration | null): void {
    const valid = measured !== null && measured.audioMs > 0 && measured.cpuMs > 0;
    if (valid) {
      this.realTimeFactor = measured.cpuMs / measured.audioMs;
      this.held = null;
    }
    this.sized = true;
    for (const slot of this.slots) if (slot.ready) this.warm(slot);
    this.calibrated(valid ? { ...measured, realTimeFactor: this.realTimeFactor, otherThreads: this.contention.otherThreads(), capacity: this.capacity() } : null);
  }

  /**
   * Tells a stream worker how many decoders to build ahead, once the
   * capacity is known: no more than its share of the sessions the pool
   * admits. On a busy machine that admits one or two, building the
   * configured eight would only take the cores from the sessions.
   */
  private warm(slot: Slot): void {
    if (!this.sized || slot.role !== 'stream') return;
    const streamWorkers = [...this.slots].filter((s) => s.role === 'stream').length;
    this.post(slot, { type: 'warm', decoders: Math.ceil(this.capacity() / Math.max(1, streamWorkers)) });
  }

  private onExit(slot: Slot, code: number | string, warmDecoders: number): void {
    if (!this.slots.delete(slot)) return; // terminated on purpose
    clearTimeout(slot.startTimer);
    const err = new Error(`Real-time recognition worker exited (code ${code})${slot.crash ? `: ${slot.crash.message}` : ''}`);
    if (!slot.ready) {
      // Dying before it is ready would die again: stop rather than respawn forever.
      this.fail(err);
      return;
    }
    for (const stream of slot.streams.values()) this.failStream(stream, err);
    if (slot.job && !slot.job.settled) slot.job.reject(err);
    if (!this.closed && !this.broken) this.spawn(slot.role, false, warmDecoders);
    this.dispatch();
  }

  /** Gives idle final workers the next utterance, taking sessions in turn. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.role !== 'final' || !slot.ready || slot.job) continue;
      const job = takeInTurn(this.queues);
      if (job === undefined) return;
      slot.job = job;
      this.post(slot, { type: 'recognize', jobId: job.id, samples: job.samples, offsetMs: job.offsetMs, context: job.context, language: job.language });
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
    this.calibrated(null);
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
