/**
 * An adapter that bounds a remote batch engine: requests in flight (over
 * every recognizer of this process), time per attempt, and retries with
 * exponential backoff for the failures that may pass (see
 * {@link EngineUnavailableError.retryable}). The engine itself makes one
 * attempt per call.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  type BatchEngine,
  type BatchRecognition,
  type BatchRecognizer,
  type BatchRequest,
  type EngineCapabilities,
  EngineUnavailableError,
} from './speech-engine.js';

export interface BoundedEngineOptions {
  /** Requests in flight at once; more wait their turn. */
  concurrency: number;
  /** One attempt longer than this fails (retryable). */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** Wait before the first retry; doubled before each next one. */
  backoffMs: number;
}

/** Counting semaphore whose waiters can give up (their signal aborts). */
class Slots {
  private free: number;
  private readonly waiting: { grant(): void; signal: AbortSignal | undefined; reject(reason: unknown): void }[] = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      const waiter = {
        signal,
        reject,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.free++;
  }
}

/**
 * @example
 * const engine = new BoundedBatchEngine(new OpenAiEngine(settings), { concurrency: 4, timeoutMs: 60_000, retries: 2, backoffMs: 500 });
 */
export class BoundedBatchEngine implements BatchEngine {
  readonly id: string;
  readonly capabilities: EngineCapabilities;
  private readonly slots: Slots;

  /** @throws {RangeError} for a concurrency below 1 or negative times. */
  constructor(private readonly inner: BatchEngine, private readonly options: BoundedEngineOptions) {
    const { concurrency, timeoutMs, retries, backoffMs } = options;
    if (!(Number.isInteger(concurrency) && concurrency >= 1 && timeoutMs > 0 && retries >= 0 && backoffMs >= 0)) {
      throw new RangeError('BoundedBatchEngine needs concurrency >= 1, timeoutMs > 0, retries >= 0 and backoffMs >= 0');
    }
    this.id = inner.id;
    this.capabilities = { ...inner.capabilities, batchConcurrency: concurrency };
    this.slots = new Slots(concurrency);
  }

  createBatchRecognizer(): BatchRecognizer {
    const recognizer = this.inner.createBatchRecognizer();
    return {
      recognize: (request) => this.recognize(recognizer, request),
      free: () => recognizer.free(),
    };
  }

  close(): void | Promise<void> {
    return this.inner.close();
  }

  private async recognize(recognizer: BatchRecognizer, request: BatchRequest): Promise<BatchRecognition> {
    const { signal } = request;
    for (let attempt = 0; ; attempt++) {
      await this.slots.acquire(signal);
      let failure: unknown;
      try {
        return await this.attempt(recognizer, request);
      } catch (err) {
        failure = err;
      } finally {
        this.slots.release();
      }
      if (signal?.aborted) throw signal.reason;
      const retryable = failure instanceof EngineUnavailableError && failure.retryable;
      if (!retryable || attempt >= this.options.retries) throw failure;
      try {
        await delay(this.options.backoffMs * 2 ** attempt, undefined, signal ? { signal } : {});
      } catch {
        throw signal!.reason;
      }
    }
  }

  private async attempt(recognizer: BatchRecognizer, request: BatchRequest): Promise<BatchRecognition> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      return await recognizer.recognize({ ...request, signal });
    } catch (err) {
      if (timeout.aborted && !request.signal?.aborted) {
        throw new EngineUnavailableError(`The speech engine did not answer within ${this.options.timeoutMs} ms`, { retryable: true, cause: err });
      }
      throw err;
    }
  }
}
