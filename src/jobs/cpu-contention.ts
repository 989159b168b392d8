/**
 * How many other programs' threads compete with Hark's recognition workers
 * for the cores, from the kernel's run queue. The engine's CPU cost per
 * session is measured once; what share of a core a worker gets depends on
 * what else runs, and that changes: a machine busy with other work serves
 * fewer sessions than its CPU figure says (docs/realtime.md, "Capacity").
 *
 * Linux only: elsewhere (no /proc) nothing is known to compete.
 */
import { readFileSync } from 'node:fs';

/**
 * Runnable threads in a `/proc/loadavg` line (its fourth field, "running/total").
 *
 * @example runnableThreads('5.53 3.39 3.47 8/165 32125') // 8
 */
export function runnableThreads(loadavg: string): number | null {
  const match = /^\S+ \S+ \S+ (\d+)\/\d+/.exec(loadavg);
  return match ? Number(match[1]) : null;
}

/** The one-minute load average of a `/proc/loadavg` line. */
export function oneMinuteLoad(loadavg: string): number | null {
  const value = Number.parseFloat(loadavg);
  return Number.isFinite(value) ? value : null;
}

/**
 * Whether a `/proc/<pid>/stat` line says the process is running or runnable
 * (its state, the field after the parenthesised name, is R).
 */
export function isRunnable(stat: string): boolean {
  // The name may hold anything, parentheses too: the state follows the last one.
  return stat.startsWith(' R ', stat.lastIndexOf(')') + 1);
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export interface CpuContentionOptions {
  /** Our own processes (the workers), left out of the count. */
  ownPids(): number[];
  /** Sampling period. */
  intervalMs?: number;
  /** Time constant of the average: long enough to smooth the run queue's jitter, short enough to follow a build starting. */
  timeConstantMs?: number;
}

/**
 * @example
 * const contention = new CpuContention({ ownPids: () => workers.map((w) => w.pid) });
 * contention.start();
 * const share = cores / (contention.otherThreads() + cores);
 */
export class CpuContention {
  private average = 0;
  private samples = 0;
  private sampledAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly intervalMs: number;
  private readonly timeConstantMs: number;

  constructor(private readonly options: CpuContentionOptions) {
    this.intervalMs = options.intervalMs ?? 500;
    this.timeConstantMs = options.timeConstantMs ?? 10_000;
  }

  /** Starts sampling; until the first sample, the one-minute load average stands in. */
  start(): void {
    if (this.timer) return;
    const line = read('/proc/loadavg');
    if (line === null) return;
    this.average = oneMinuteLoad(line) ?? 0;
    this.sampledAt = performance.now();
    this.timer = setInterval(() => this.sample(), this.intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Other programs' runnable threads, on average over the last several seconds (0 when unknown). */
  otherThreads(): number {
    return this.average;
  }

  private sample(): void {
    const line = read('/proc/loadavg');
    const runnable = line === null ? null : runnableThreads(line);
    if (runnable === null) return;
    // The sampler's own thread is running while it reads.
    let others = runnable - 1;
    for (const pid of this.options.ownPids()) {
      const stat = read(`/proc/${pid}/stat`);
      if (stat !== null && isRunnable(stat)) others--;
    }
    const now = performance.now();
    // A plain mean of the first samples, so the stand-in is soon forgotten.
    const weight = Math.max(1 - Math.exp(-(now - this.sampledAt) / this.timeConstantMs), 1 / ++this.samples);
    this.sampledAt = now;
    this.average += (Math.max(0, others) - this.average) * weight;
  }
}
