/**
 * Runs CPU-heavy tasks (list pages) one at a time, and paces them: when
 * tasks are waiting, the next starts only after the event loop has been left
 * to everything else for as long as the last task took. Queued tasks then use
 * at most about half of the process's time, so a request for anything else
 * waits for at most one of them, and the process never saturates its CPU on
 * them (a saturated process is scheduled late by the OS, which is what makes
 * everyone else's latency spike on a shared machine). Tasks should be CPU
 * work: one that awaits a slow call holds the slot meanwhile.
 *
 * @example await pages.run(async () => reply.send(JSON.stringify(await buildPage())))
 */
export class TurnQueue {
  private readonly waiting: (() => void)[] = [];
  private running = false;

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running = true;
    const started = performance.now();
    try {
      return await task();
    } finally {
      // The slot passes straight to the next task, after a pause as long as this task's turn.
      const next = this.waiting.shift();
      if (next) setTimeout(next, Math.ceil(performance.now() - started));
      else this.running = false;
    }
  }
}
