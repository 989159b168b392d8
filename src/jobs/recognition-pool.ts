/**
 * A fixed set of worker processes that run batch recognition, so the server's
 * event loop never does. Each worker loads the engine once and takes one job
 * at a time; jobs wait in a FIFO queue while all workers are busy.
 *
 * Workers are child processes rather than threads: the engine is native code
 * called through FFI, and a crash there must take down one worker, not the
 * server. It also keeps the models' memory out of the server process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BatchResult } from '../pipeline/batch.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../pipeline/engines/engine-settings.js';
import type { VoiceDetector } from '../pipeline/segmentation/speech-classifier.js';
import {
  type FromWorker,
  type ToWorker,
  type TranscribeRequest,
  type WorkerSetup,
  WORKER_SETUP_ENV,
  deserializeError,
} from './recognition-messages.js';
import { setRef, startDeadline, terminate, WORKER_START_TIMEOUT_MS } from './worker-process.js';

export type { TranscribeRequest } from './recognition-messages.js';

export interface RecognitionPoolOptions {
  /** Worker processes. Each holds its own copy of the model (≈100 MB for en-us). Default: CPU count. */
  size?: number;
  /** The engine each worker loads; default PocketSphinx with Debian's en-us model. */
  engine?: EngineSettings;
  /** What the workers segment audio with; default energy. */
  vad?: VoiceDetector;
  /**
   * A cancelled job stops at the next utterance boundary. A worker that has
   * not stopped after this long is terminated and replaced. Default 30 s.
   */
  cancelGraceMs?: number;
  /**
   * A worker that has not loaded its engine after this long is killed and the
   * pool fails as for an engine that cannot load. Default {@link WORKER_START_TIMEOUT_MS}.
   */
  startTimeoutMs?: number;
  /** The worker script; tests substitute a scripted one. */
  workerUrl?: URL;
}

interface Job {
  id: number;
  request: TranscribeRequest;
  resolve(result: BatchResult): void;
  reject(err: unknown): void;
  settled: boolean;
  detach(): void;
}

interface Slot {
  worker: ChildProcess;
  state: 'starting' | 'idle' | 'busy' | 'cancelling';
  job: Job | null;
  graceTimer: NodeJS.Timeout | null;
  /** Runs out unless the worker reports in (ready or init-error) first. */
  startTimer: NodeJS.Timeout;
  /** Last uncaught error of the worker, to explain its exit. */
  crash: Error | null;
}

/**
 * The worker process running the job died: a native crash in the engine, the
 * kernel's OOM killer, a signal from outside. The job itself may or may not
 * be to blame (the job runner finds out by retrying it alone).
 */
export class RecognitionWorkerDiedError extends Error {
  override name = 'RecognitionWorkerDiedError';
  readonly code = 'worker_died';
}

const DEFAULT_WORKER_URL = new URL('./recognition-worker.js', import.meta.url);

/**
 * @example
 * const pool = new RecognitionPool({ size: 2 });
 * await pool.ready();
 * const { tokens } = await pool.transcribe({ audioPath: 'talk.mp3', maxDurationMs: 3_600_000 }, signal);
 * await pool.close();
 */
export class RecognitionPool {
  readonly size: number;
  private readonly setup: WorkerSetup;
  private readonly cancelGraceMs: number;
  private readonly startTimeoutMs: number;
  private readonly workerUrl: URL;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextJobId = 1;
  private closed = false;
  /** Set when an engine failed to load: every job fails with it from then on. */
  private broken: Error | null = null;
  private readonly readiness: Promise<void>;
  private markReady!: () => void;
  private markBroken!: (err: Error) => void;

  /** Starts the workers; each loads its engine in the background (see {@link ready}). */
  constructor(options: RecognitionPoolOptions = {}) {
    this.size = options.size ?? availableParallelism();
    if (!(Number.isInteger(this.size) && this.size >= 1)) throw new RangeError('Recognition pool size must be a positive integer');
    this.setup = { engine: options.engine ?? DEFAULT_ENGINE_SETTINGS, ...(options.vad ? { vad: options.vad } : {}) };
    this.cancelGraceMs = options.cancelGraceMs ?? 30_000;
    this.startTimeoutMs = options.startTimeoutMs ?? WORKER_START_TIMEOUT_MS;
    this.workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL;
    this.readiness = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.markBroken = reject;
    });
    // Nobody may await readiness; jobs report the same failure.
    this.readiness.catch(() => {});
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  /**
   * Resolves once every worker has loaded its engine.
   *
   * @throws {Error} an engine could not be loaded (missing model, library).
   */
  ready(): Promise<void> {
    return this.readiness;
  }

  /**
   * Transcribes a file on the next free worker.
   *
   * @throws {AudioDecodeError} `code` 'audio_decode_error'.
   * @throws {AudioTooLongError} `code` 'audio_too_long'.
   * @throws the abort reason as soon as `signal` aborts (queued jobs never start;
   *   running ones stop at the next utterance).
   * @throws {RecognitionWorkerDiedError} `code` 'worker_died': the worker process died.
   * @throws {Error} the engine failed, or the pool is closed.
   */
  transcribe(request: TranscribeRequest, signal?: AbortSignal): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new Error('Recognition pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<BatchResult>((resolve, reject) => {
      const onAbort = () => this.cancel(job, signal!.reason);
      const job: Job = {
        id: this.nextJobId++,
        request,
        settled: false,
        resolve: (result) => {
          job.detach();
          resolve(result);
        },
        reject: (err) => {
          job.detach();
          reject(err);
        },
        detach: () => {
          job.settled = true;
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Fails queued and running jobs and terminates the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('Recognition pool is closed');
    this.markBroken(err);
    for (const job of this.queue.splice(0)) job.reject(err);
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (slot.job && !slot.job.settled) slot.job.reject(err);
      if (slot.graceTimer) clearTimeout(slot.graceTimer);
      clearTimeout(slot.startTimer);
      exits.push(terminate(slot.worker));
    }
    this.slots.clear();
    await Promise.all(exits);
  }

  private spawn(): void {
    const worker = fork(fileURLToPath(this.workerUrl), [], {
      env: { ...process.env, [WORKER_SETUP_ENV]: JSON.stringify(this.setup) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const startTimer = startDeadline(worker, this.startTimeoutMs, (err) => this.fail(err));
    const slot: Slot = { worker, state: 'starting', job: null, graceTimer: null, startTimer, crash: null };
    this.slots.add(slot);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (err) => {
      slot.crash = err;
    });
    worker.on('exit', (code, signal) => this.onExit(slot, code ?? signal ?? 'unknown'));
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        clearTimeout(slot.startTimer);
        slot.state = 'idle';
        setRef(slot.worker, false);
        if ([...this.slots].every((s) => s.state !== 'starting')) this.markReady();
        this.dispatch();
        return;
      case 'init-error':
        clearTimeout(slot.startTimer);
        this.fail(new Error(`Speech engine could not be loaded: ${message.error.message}`));
        return;
      case 'result':
      case 'error': {
        const job = slot.job;
        if (!job || job.id !== message.jobId) return;
        if (!job.settled) {
          if (message.type === 'result') job.resolve(message.result);
          else job.reject(deserializeError(message.error));
        }
        this.free(slot);
        this.dispatch();
        return;
      }
    }
  }

  private onExit(slot: Slot, code: number | string): void {
    if (!this.slots.delete(slot)) return; // terminated on purpose
    if (slot.graceTimer) clearTimeout(slot.graceTimer);
    clearTimeout(slot.startTimer);
    const reason = slot.crash ? `: ${slot.crash.message}` : '';
    if (slot.state === 'starting') {
      // Dying before it is ready would die again: stop rather than respawn forever.
      this.fail(new Error(`Speech engine worker exited while loading (code ${code})${reason}`));
      return;
    }
    if (slot.job && !slot.job.settled) {
      slot.job.reject(new RecognitionWorkerDiedError(`Recognition worker crashed (exit code ${code})${reason}`));
    }
    if (!this.closed && !this.broken) {
      this.spawn();
    }
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state !== 'idle') continue;
      const job = this.queue.shift()!;
      slot.state = 'busy';
      slot.job = job;
      // A busy worker keeps the process alive; idle ones do not.
      setRef(slot.worker, true);
      this.post(slot, { type: 'transcribe', jobId: job.id, request: job.request });
    }
  }

  private cancel(job: Job, reason: unknown): void {
    if (job.settled) return;
    job.reject(reason);
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      return;
    }
    const slot = [...this.slots].find((s) => s.job === job);
    if (!slot) return;
    slot.state = 'cancelling';
    this.post(slot, { type: 'cancel', jobId: job.id });
    // The worker answers between utterances; one that does not is replaced.
    slot.graceTimer = setTimeout(() => {
      this.slots.delete(slot);
      void terminate(slot.worker);
      if (!this.closed && !this.broken) this.spawn();
    }, this.cancelGraceMs);
    slot.graceTimer.unref();
  }

  private free(slot: Slot): void {
    if (slot.graceTimer) clearTimeout(slot.graceTimer);
    slot.graceTimer = null;
    slot.job = null;
    slot.state = 'idle';
    setRef(slot.worker, false);
  }

  private fail(err: Error): void {
    if (this.broken) return;
    this.broken = err;
    this.markBroken(err);
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  private post(slot: Slot, message: ToWorker): void {
    slot.worker.send(message);
  }
}
