import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnQueue } from './turn-queue.js';

describe('TurnQueue', () => {
  it('runs one task at a time, in order, and lets other work run between queued tasks', async () => {
    const queue = new TurnQueue();
    const events: string[] = [];
    let running = 0;
    const task = (name: string) =>
      queue.run(async () => {
        running++;
        assert.equal(running, 1);
        events.push(name);
        await Promise.resolve();
        running--;
        return name;
      });
    const done = Promise.all([task('a'), task('b'), task('c')]);
    // A timer queued now fires before the second task: the queue yields to the event loop.
    setTimeout(() => events.push('timer'), 0);
    assert.deepEqual(await done, ['a', 'b', 'c']);
    assert.deepEqual(events.filter((e) => e !== 'timer'), ['a', 'b', 'c']);
    assert.ok(events.indexOf('timer') < events.indexOf('b'), events.join(','));
  });

  it('frees the slot when a task throws', async () => {
    const queue = new TurnQueue();
    await assert.rejects(queue.run(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await queue.run(async () => 'next'), 'next');
  });
});
