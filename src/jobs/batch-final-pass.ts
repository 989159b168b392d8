/**
 * The final (accurate) pass of live sessions over a batch engine whose
 * calls are network requests (a remote engine): it runs in the server
 * process, as I/O, with no worker of its own. Utterances wait in one queue
 * per session and are served round-robin, as in the worker pool
 * (realtime-recognition-pool.ts), with up to `concurrency` in flight.
 */
import type { RecognitionContext } from '../pipeline/context/recognition-context.js';
import type { BatchEngine, BatchRecognizer, RecognizedWord } from '../pipeline/engines/speech-engine.js';
import { withLanguage } from '../pipeline/engines/speech-engine.js';
import type { FinalRecognizer } from '../pipeline/stream.js';
import { takeInTurn } from '../lib/round-robin.js';

export interface BatchFinalPassOptions {
  /** Utterances in flight at once over all sessions; default the engine's `batchConcurrency`. */
  concurrency?: number;
}

interface Job {
  samples: Int16Array;
  offsetMs: number;
  audioMs: number;
  context: RecognitionContext | null;
  language: string | null;
  signal: AbortSignal;
  resolve(words: RecognizedWord[]): void;
  reject(err: unknown): void;
}

/** Wall time per audio time before any was measured: a remote server's decode plus the round trip. */
const INITIAL_REAL_TIME_FACTOR = 0.5;
/** Per-utterance overhead of the estimate: the request's round trip. */
const ESTIMATE_OVERHEAD_MS = 100;

/**
 * @example
 * const finals = new BatchFinalPass(remoteEngine);
 * const live = twoPassRecognition(new RealtimeRecognitionPool({ workers: 2 }), finals);
 */
export class BatchFinalPass {
  private readonly concurrency: number;
  private readonly recognizer: BatchRecognizer;
  /** Sessions' utterance queues, in round-robin order. */
  private readonly queues: Job[][] = [];
  private readonly running = new Set<Job>();
  private realTimeFactor = INITIAL_REAL_TIME_FACTOR;
  private closed = false;

  /** @throws {RangeError} unless `concurrency` is a positive integer. */
  constructor(private readonly engine: BatchEngine, options: BatchFinalPassOptions = {}) {
    this.concurrency = options.concurrency ?? Math.max(1, engine.capabilities.batchConcurrency);
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1)) throw new RangeError('concurrency must be a positive integer');
    this.recognizer = engine.createBatchRecognizer();
  }

  openFinal(context: RecognitionContext | null = null, language: string | null = null): FinalRecognizer {
    const queue: Job[] = [];
    this.queues.push(queue);
    return {
      recognize: (samples, offsetMs, signal) =>
        new Promise<RecognizedWord[]>((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason);
          if (this.closed) return reject(new Error('Real-time recognition is shut down'));
          const onAbort = () => {
            const at = queue.indexOf(job);
            if (at >= 0) queue.splice(at, 1);
            reject(signal.reason);
          };
          const job: Job = {
            samples, offsetMs, audioMs: samples.length / 16, context, language, signal,
            resolve: (words) => {
              signal.removeEventListener('abort', onAbort);
              resolve(words);
            },
            reject: (err) => {
              signal.removeEventListener('abort', onAbort);
              reject(err);
            },
          };
          signal.addEventListener('abort', onAbort, { once: true });
          queue.push(job);
          this.dispatch();
        }),
      estimateMs: (audioMs) => {
        const waiting = this.queues.reduce((sum, q) => sum + q.reduce((n, j) => n + j.audioMs, 0), 0);
        const running = [...this.running].reduce((sum, j) => sum + j.audioMs / 2, 0);
        return ((waiting + running) / this.concurrency + audioMs) * this.realTimeFactor + ESTIMATE_OVERHEAD_MS;
      },
      close: () => {
        const err = new Error('The stream is closed');
        for (const job of queue.splice(0)) job.reject(err);
        const at = this.queues.indexOf(queue);
        if (at >= 0) this.queues.splice(at, 1);
      },
    };
  }

  /** Fails every queued utterance; requests in flight are left to their sessions' signals. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('Real-time recognition is shut down');
    for (const queue of this.queues.splice(0)) for (const job of queue.splice(0)) job.reject(err);
    this.recognizer.free();
    await this.engine.close();
  }

  private dispatch(): void {
    while (this.running.size < this.concurrency) {
      const job = takeInTurn(this.queues);
      if (job === undefined) return;
      this.run(job);
    }
  }

  private run(job: Job): void {
    this.running.add(job);
    const started = performance.now();
    this.recognizer
      .recognize({ samples: job.samples, offsetMs: job.offsetMs, language: job.language, context: job.context, signal: job.signal })
      .then(
        ({ words: recognized, language }) => {
          const words = withLanguage(recognized, language);
          const elapsedMs = performance.now() - started;
          if (job.audioMs >= 500) this.realTimeFactor = 0.8 * this.realTimeFactor + 0.2 * (elapsedMs / job.audioMs);
          job.resolve(words);
        },
        (err: unknown) => job.reject(err),
      )
      .finally(() => {
        this.running.delete(job);
        if (!this.closed) this.dispatch();
      });
  }
}
