/**
 * Live diarization off the event loop. A decision of the live diarizer (an
 * x-vector network pass on onnxruntime's synchronous binding, spectral
 * clustering) holds its thread for 0.1–0.25 s, so every stream's
 * `OnlineDiarizer` lives in one worker thread per process
 * (diarization-thread.ts), started by the first stream that asks for
 * speakers and shared by all. On the event loop, a stream's diarizer is a
 * {@link ThreadedLiveDiarizer}: it only posts messages.
 *
 * - Final labels are asked for in stream order and answered in that order.
 * - Provisional labels are answered at once from the thread's latest answer;
 *   a stream has at most one provisional request in flight, the newest words
 *   wait for the next, and each answer is announced through `changed`.
 * - If the thread dies, every stream using it fails (`failed`): the speakers
 *   it had told apart die with it, and a fresh diarizer would number them
 *   anew, contradicting final labels already sent. The next stream that
 *   asks starts a new thread.
 *
 * @example
 * const diarizer = diarizationThread().open({ changed: () => retake(), failed: (err) => fail(err) });
 * diarizer.push(pcm);
 * diarizer.labelProvisional(partialWords);     // ['1', '1']: the latest known
 * await diarizer.labelFinal(finalWords);       // ['1', '2']: never changes
 * diarizer.close();
 */
import { type TransferListItem, Worker } from 'node:worker_threads';
import type { AsyncLiveDiarizer, LiveDiarization, LiveDiarizerEvents, TimedWord } from './diarizer.js';
import type { FromDiarizationThread, ToDiarizationThread } from './diarization-thread-messages.js';

/** The diarization thread died, or the stream's diarizer failed in it. */
export class DiarizationThreadError extends Error {
  override name = 'DiarizationThreadError';
}

/** The stream's diarizer was closed before it answered. */
export class DiarizerClosedError extends Error {
  override name = 'DiarizerClosedError';
}

const THREAD_URL = new URL('./diarization-thread.js', import.meta.url);

type Post = (message: ToDiarizationThread, transfer?: readonly TransferListItem[]) => void;

/** Only the timings: the rest of a word (its text) would be copied to the thread for nothing. */
const timingsOf = (words: readonly TimedWord[]): TimedWord[] => words.map(({ startMs, endMs }) => ({ startMs, endMs }));
const keyOf = (words: readonly TimedWord[]): string => words.map((w) => `${w.startMs}-${w.endMs}`).join(',');

/** One stream's diarizer, decided in the thread. */
export class ThreadedLiveDiarizer implements AsyncLiveDiarizer {
  private readonly finals: { resolve(labels: string[]): void; reject(err: Error): void }[] = [];
  /** The thread's latest provisional answer: a speaker per word start. */
  private known = new Map<number, string>();
  private lastFinalSpeaker = '1';
  /** The words of the provisional request in flight; null: none. */
  private asking: TimedWord[] | null = null;
  /** The newest words asked for while one was in flight. */
  private waiting: { words: TimedWord[]; key: string } | null = null;
  /** The words last sent: the same words are not asked for twice. */
  private askedKey = '';
  /** Why the diarizer cannot answer any more (closed, or failed); null while it can. */
  private gone: Error | null = null;

  constructor(
    private readonly id: number,
    private readonly post: Post,
    private readonly events: LiveDiarizerEvents,
    /** Forgets the diarizer here and in the thread. */
    private readonly release: () => void,
  ) {}

  push(samples: Int16Array): void {
    if (this.gone) return;
    // A copy, transferred: the caller keeps its buffer, and a view would clone all of the buffer it is a view of.
    const copy = samples.slice();
    this.post({ type: 'push', id: this.id, samples: copy }, [copy.buffer]);
  }

  labelFinal(words: readonly TimedWord[]): Promise<string[]> {
    if (this.gone) return Promise.reject(this.gone);
    return new Promise((resolve, reject) => {
      this.finals.push({ resolve, reject });
      this.post({ type: 'final', id: this.id, words: timingsOf(words) });
    });
  }

  /**
   * Each word's speaker in the thread's latest answer; a word it has not
   * labelled yet continues the word before it (the first, the last final
   * speaker). Asks the thread about these words, unless it was just asked.
   */
  labelProvisional(words: readonly TimedWord[]): string[] {
    let previous = this.lastFinalSpeaker;
    const labels = words.map((w) => (previous = this.known.get(w.startMs) ?? previous));
    this.ask(words);
    return labels;
  }

  close(): void {
    if (this.gone) return;
    this.end(new DiarizerClosedError('the diarizer was closed'));
  }

  /** An answer from the thread. */
  answer(message: FromDiarizationThread): void {
    if (this.gone) return;
    switch (message.type) {
      case 'final': {
        const last = message.labels.at(-1);
        if (last !== undefined) this.lastFinalSpeaker = last;
        this.finals.shift()?.resolve(message.labels);
        return;
      }
      case 'provisional': {
        const asked = this.asking ?? [];
        this.known = new Map(asked.map((w, i) => [w.startMs, message.labels[i]!]));
        this.asking = null;
        const next = this.waiting;
        this.waiting = null;
        if (next) this.send(next.words, next.key);
        this.events.changed();
        return;
      }
      case 'failed':
        this.fail(new DiarizationThreadError(`live diarization failed: ${message.message}`));
        return;
    }
  }

  /** The thread is gone, or the diarizer failed in it: pending labels are rejected and the stream told. */
  fail(err: Error): void {
    if (this.gone) return;
    this.end(err);
    this.events.failed(err);
  }

  private end(reason: Error): void {
    this.gone = reason;
    for (const pending of this.finals.splice(0)) pending.reject(reason);
    this.asking = null;
    this.waiting = null;
    this.release();
  }

  private ask(words: readonly TimedWord[]): void {
    if (this.gone || words.length === 0) return;
    const key = keyOf(words);
    if (key === this.askedKey) {
      this.waiting = null;
      return;
    }
    if (this.asking) this.waiting = { words: timingsOf(words), key };
    else this.send(timingsOf(words), key);
  }

  private send(words: TimedWord[], key: string): void {
    this.asking = words;
    this.askedKey = key;
    this.post({ type: 'provisional', id: this.id, words });
  }
}

/**
 * The worker thread that runs the live diarizers, and the streams' diarizers
 * in it. Started by the first {@link open}; it keeps the process alive only
 * while a stream has a diarizer open.
 */
export class DiarizationThread implements LiveDiarization {
  private worker: Worker | null = null;
  private readonly diarizers = new Map<number, ThreadedLiveDiarizer>();
  private nextId = 1;

  /** @param url the thread's script (tests substitute one that fails). */
  constructor(private readonly url: URL = THREAD_URL) {}

  /** Streams with a diarizer open in the thread. */
  get openDiarizers(): number {
    return this.diarizers.size;
  }

  open(events: LiveDiarizerEvents): ThreadedLiveDiarizer {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const diarizer = new ThreadedLiveDiarizer(id, (message, transfer) => worker.postMessage(message, transfer), events, () => this.release(id));
    this.diarizers.set(id, diarizer);
    worker.postMessage({ type: 'open', id } satisfies ToDiarizationThread);
    worker.ref();
    return diarizer;
  }

  /** Stops the thread; streams with a diarizer open fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.lost(worker, new DiarizationThreadError('the diarization thread was stopped'));
    await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.url);
    worker.on('message', (message: FromDiarizationThread) => this.diarizers.get(message.id)?.answer(message));
    worker.on('error', (err) => this.lost(worker, new DiarizationThreadError('the diarization thread failed', { cause: err })));
    worker.on('exit', (code) => this.lost(worker, new DiarizationThreadError(`the diarization thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private release(id: number): void {
    if (!this.diarizers.delete(id)) return;
    this.worker?.postMessage({ type: 'close', id } satisfies ToDiarizationThread);
    // An idle thread must not keep the process from exiting (after a shutdown, in tests).
    if (this.diarizers.size === 0) this.worker?.unref();
  }

  private lost(worker: Worker, err: DiarizationThreadError): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const affected = [...this.diarizers.values()];
    this.diarizers.clear();
    for (const diarizer of affected) diarizer.fail(err);
  }
}

let shared: DiarizationThread | null = null;

/** The process's diarization thread, shared by every live stream with speaker labels. */
export function diarizationThread(): DiarizationThread {
  shared ??= new DiarizationThread();
  return shared;
}
