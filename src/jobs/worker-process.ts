import type { ChildProcess } from 'node:child_process';

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
