import type { ChildProcess } from 'node:child_process';

/**
 * How long a worker may take to load its engine before the pool gives up on
 * it (default of `HARK_WORKER_START_TIMEOUT_MS`). PocketSphinx loads in about
 * a second; a sherpa-onnx model of several hundred MB can take tens of
 * seconds alone, and every worker of both pools loads at once, the async ones
 * at a lower priority, on a machine that may be busy. Only a hung load should
 * outlast this.
 */
export const WORKER_START_TIMEOUT_MS = 300_000;

/**
 * Kills `worker` and calls `fail` with the error of an engine that cannot
 * load unless the timer returned is cleared within `timeoutMs` (the pool
 * clears it once the worker reports in or exits). A hung load sends neither
 * ready nor init-error and never exits: what waits on it would wait forever.
 */
export function startDeadline(worker: ChildProcess, timeoutMs: number, fail: (err: Error) => void): NodeJS.Timeout {
  const timer = setTimeout(() => {
    fail(new Error(`Speech engine could not be loaded: the worker did not start within ${timeoutMs / 1000} s`));
    void terminate(worker);
  }, timeoutMs);
  timer.unref();
  return timer;
}

/** Whether a worker process keeps the server process alive: busy ones do, idle ones do not. */
export function setRef(worker: ChildProcess, ref: boolean): void {
  const channel = worker.channel as { ref(): void; unref(): void } | null | undefined;
  if (ref) {
    worker.ref();
    channel?.ref();
  } else {
    worker.unref();
    channel?.unref();
  }
}

/** Kills a worker process and resolves once it has exited. */
export function terminate(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    // An idle worker is unreferenced; waiting for its exit must keep the process alive.
    worker.ref();
    worker.kill('SIGKILL');
  });
}
