/**
 * Runs tasks one at a time, each starting in a later event-loop turn than the
 * one before it ended (`setImmediate`), so that pending I/O (other requests)
 * is served between them. Used for CPU-heavy responses such as list pages:
 * twenty requested at once are built one after another, and a request for
 * anything else waits for at most one of them.
 *
 * @example await pages.run(async () => JSON.stringify(await buildPage()))
 */
export class TurnQueue {
  private readonly waiting: (() => void)[] = [];
  private running = false;

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running = true;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next task, in a later turn.
      const next = this.waiting.shift();
      if (next) setImmediate(next);
      else this.running = false;
    }
  }
}
