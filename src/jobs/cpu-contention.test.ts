import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CpuContention, isRunnable, oneMinuteLoad, runnableThreads } from './cpu-contention.js';

describe('CPU contention', () => {
  it('reads the run queue and the load average of /proc/loadavg', () => {
    assert.equal(runnableThreads('5.53 3.39 3.47 8/165 32125\n'), 8);
    assert.equal(oneMinuteLoad('5.53 3.39 3.47 8/165 32125\n'), 5.53);
    assert.equal(runnableThreads('garbage'), null);
  });

  it('tells a runnable process from a sleeping one, whatever its name', () => {
    assert.equal(isRunnable('1234 (node) R 1 1234 1234 0 -1'), true);
    assert.equal(isRunnable('1234 (node) S 1 1234 1234 0 -1'), false);
    assert.equal(isRunnable('1234 (a) R (b)) S 1 1234'), false);
  });

  it('counts no thread of ours (here: this process, while it samples) as other work', async () => {
    const contention = new CpuContention({ ownPids: () => [process.pid], intervalMs: 20, timeConstantMs: 100 });
    contention.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    contention.stop();
    assert.ok(Number.isFinite(contention.otherThreads()) && contention.otherThreads() >= 0);
  });
});
