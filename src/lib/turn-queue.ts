/**
 * Runs CPU-heavy tasks (list pages) one at a time, and paces them: a task
 * starts no sooner after the previous one ended than that one took. Such
 * tasks then use at most about half of the process's time, however many
 * clients ask, so a request for anything else waits for at most one of them,
 * and the process keeps time to spare for everything else. Tasks should be
 * CPU work: one that awaits a slow call holds the slot meanwhile.
 *
 * @example await pages.run(async () => reply.send(JSON.stringify(await buildPage())))
 */
export class TurnQueue {
  private readonly waiting: (() => void)[] = [];
  private running = false;
  /** `performance.now()` before which the next task does not start. */
  private nextStartAt = 0;

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running = true;
    const pause = this.nextStartAt - performance.now();
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(pause)));
    const started = performance.now();
    try {
      return await task();
    } finally {
      const ended = performance.now();
      this.nextStartAt = ended + (ended - started);
      // The slot passes straight to the next task, which then waits out the pause.
      const next = this.waiting.shift();
      if (next) next();
      else this.running = false;
    }
  }
}
