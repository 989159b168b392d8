/**
 * A worker that hangs while loading its engine, for the pools' start
 * deadline: the fake workers call {@link hangWhileLoading}, the tests find
 * the process with {@link hungWorkerPid} and wait for it to be killed with
 * {@link exited}.
 */
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';

// Taken before a test mocks the timers: these waits are for other processes, which mocked time does not move.
const realSetTimeout = globalThis.setTimeout;
const pause = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));

/**
 * Leaves the process id in `pidFile`, then blocks the event loop for good,
 * deaf to messages and to the pool going away, as a stuck native load is.
 */
export function hangWhileLoading(pidFile: string): never {
  writeFileSync(pidFile, String(process.pid));
  // Blocked on a value nothing changes: hung, without keeping a core busy until it is killed.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/** The id of the process that hangs, once it has written it to `pidFile`. */
export async function hungWorkerPid(pidFile: string): Promise<number> {
  for (;;) {
    const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
    if (pid > 0) return pid;
    await pause(20);
  }
}

/**
 * Resolves once process `pid` no longer exists (killed and reaped).
 * @throws {Error} it still exists after `withinMs`: a killed process is gone in milliseconds, so nothing killed it.
 */
export async function exited(pid: number, withinMs = 30_000): Promise<void> {
  const until = performance.now() + withinMs;
  while (performance.now() < until) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw err;
    }
    await pause(20);
  }
  throw new Error(`process ${pid} still exists ${withinMs / 1000} s on`);
}
