/**
 * A concurrent probe of `GET /v1/models`: how long the server takes to
 * answer an ordinary client while something else is going on.
 *
 * Probes go out on a fixed schedule (open loop, every 25 ms), not one after
 * the other: a server stalled for a second then delays every probe due in
 * that second, instead of only the one in flight, so a stall weighs in the
 * percentiles in proportion to its length. They run in a worker thread, so
 * that a busy test thread (generating and sending large inputs) neither
 * delays them nor is charged to the server.
 *
 * A probe slower than the budget is retried by the next probe on the
 * schedule, and counts as a miss only if that one is slow too. A lone slow
 * answer is usually the loaded host (a GC pause in the client, a core taken
 * by another process for a moment); a blocked server event loop makes every
 * probe due while it is blocked miss. The budget is then checked on the p99
 * over all probes, never on the maximum (reported for information).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { HarkProcess } from './hark-process.js';

export interface ProbeSummary {
  /** Scheduled probes (each one sent, or skipped because too many were in flight). */
  count: number;
  /** Probes over the budget whose retry (the next probe) was over it too. */
  misses: number;
  /** Percentiles of each probe's latency after its retry, in ms; Infinity for no answer. */
  p50Ms: number;
  p99Ms: number;
  /** Slowest probe, in ms. */
  maxMs: number;
  /** When each miss was due (ms since the epoch, fractional), to tell which input caused it. */
  missesAt: number[];
}

export interface ProbeOptions {
  intervalMs?: number;
  budgetMs?: number;
  /** A probe with no answer in this time counts as Infinity. */
  timeoutMs?: number;
  /** More outstanding probes than this: the server is not answering; the tick is not sent and counts as no answer. */
  maxInFlight?: number;
}

/** The value at percentile `p` (0..100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((sorted.length * p) / 100) - 1)]!;
}

/** One request; its latency in ms, or Infinity for no 200 within `timeoutMs`. */
export async function probeOnce(hark: Pick<HarkProcess, 'baseUrl' | 'apiKey'>, timeoutMs = 10_000): Promise<number> {
  const began = performance.now();
  try {
    const response = await fetch(`${hark.baseUrl}/v1/models`, {
      headers: { authorization: `Bearer ${hark.apiKey}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.status === 200 ? performance.now() - began : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * Runs the probe in a worker thread: its timers and latencies must not
 * depend on what the test's own thread is busy with (generating and
 * sending large inputs).
 */
export class ModelsProbe {
  readonly budgetMs: number;
  private worker: Worker | null = null;

  constructor(
    private readonly hark: Pick<HarkProcess, 'baseUrl' | 'apiKey'>,
    private readonly options: ProbeOptions = {},
  ) {
    this.budgetMs = options.budgetMs ?? 500;
  }

  /** Starts probing once the first (connection set-up) request, not measured, is answered. */
  async start(): Promise<void> {
    const worker = new Worker(new URL('./latency-probe-worker.js', import.meta.url), {
      workerData: { baseUrl: this.hark.baseUrl, apiKey: this.hark.apiKey, options: { ...this.options, budgetMs: this.budgetMs } },
    });
    this.worker = worker;
    await once(worker, 'message');
  }

  /** Stops probing and waits for the outstanding probes. */
  async stop(): Promise<ProbeSummary> {
    const worker = this.worker;
    if (!worker) throw new Error('probe not started');
    this.worker = null;
    worker.postMessage('stop');
    const [summary] = (await once(worker, 'message')) as [ProbeSummary];
    await worker.terminate();
    return summary;
  }
}

/** One line for logs: `/v1/models p50 3 ms, p99 12 ms, max 40 ms over 300 probes, 0 misses`. */
export function formatProbe(summary: ProbeSummary): string {
  const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'no answer');
  return `/v1/models p50 ${ms(summary.p50Ms)}, p99 ${ms(summary.p99Ms)}, max ${ms(summary.maxMs)} over ${summary.count} probes, ${summary.misses} misses`;
}
