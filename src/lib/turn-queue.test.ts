import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnQueue } from './turn-queue.js';

/** Keeps the event loop busy for `ms`, as a list page does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('TurnQueue', () => {
  it('runs one task at a time, in order, and leaves as much time to others as each task took', async () => {
    const queue = new TurnQueue();
    const spans: [number, number][] = [];
    let running = 0;
    const task = (name: string) =>
      queue.run(async () => {
        running++;
        assert.equal(running, 1);
        const start = performance.now();
        busy(20);
        spans.push([start, performance.now()]);
        await Promise.resolve();
        running--;
        return name;
      });
    assert.deepEqual(await Promise.all([task('a'), task('b'), task('c')]), ['a', 'b', 'c']);
    for (let i = 1; i < spans.length; i++) {
      const previous = spans[i - 1]!;
      const gap = spans[i]![0] - previous[1];
      assert.ok(gap >= (previous[1] - previous[0]) * 0.9, `gap of ${gap.toFixed(1)} ms after a ${(previous[1] - previous[0]).toFixed(1)} ms task`);
    }
    // A task that arrives after the queue emptied still waits out the pause.
    const ended = spans.at(-1)![1];
    await queue.run(async () => {
      assert.ok(performance.now() - ended >= 15);
    });
  });

  it('frees the slot when a task throws', async () => {
    const queue = new TurnQueue();
    await assert.rejects(queue.run(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await queue.run(async () => 'next'), 'next');
  });
});
