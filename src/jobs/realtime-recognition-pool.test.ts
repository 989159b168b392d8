// The pool's scheduling and failure handling, with a scripted worker
// (test/support/fake-realtime-worker.ts). The real workers run in
// test/e2e/realtime.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { EngineSettings } from '../pipeline/engines/engine-settings.js';
import type { PartialEvents } from '../pipeline/stream.js';
import { exited, hungWorkerPid } from '../../test/support/hung-worker.js';
import { RealtimeRecognitionPool } from './realtime-recognition-pool.js';

const FAKE_WORKER = new URL('../../test/support/fake-realtime-worker.js', import.meta.url);

/** Nothing else runs. */
const idleMachine = { start() {}, stop() {}, otherThreads: () => 0 };

describe('RealtimeRecognitionPool', () => {
  let pool: RealtimeRecognitionPool | undefined;
  afterEach(() => pool?.close());
  const start = (options: { model?: { hmm: string; lm: string; dict: string }; finalEngine?: EngineSettings; startTimeoutMs?: number } = {}) => {
    pool = new RealtimeRecognitionPool({ workers: 1, workerUrl: FAKE_WORKER, contention: idleMachine, capacityHoldMs: 0, ...options });
    return pool;
  };
  it('streams results back to their stream', async () => {
    start();
    const progress: string[] = [];
    const events: PartialEvents = {
      progress: (id, words, samples) => progress.push(`${id}:${words.map((w) => w.word).join()}:${samples}`),
      failed: assert.fail,
    };
    const stream = pool!.openPartial(events);
    stream.startUtterance(7, 0);
    stream.feed(new Int16Array(320));
    const words = await stream.endUtterance();
    assert.deepEqual(progress, ['7:heard:320']);
    assert.deepEqual(words.map((w) => w.word), ['heard']);
    stream.close();
    await assert.rejects(stream.endUtterance(), /closed/);
  });

  it('fails the streams of a worker that dies, and carries on with a new one', async () => {
    start();
    const failed = new Promise<Error>((resolve) => pool!.openPartial({ progress: () => {}, failed: resolve }).startUtterance(1, 666));
    assert.match((await failed).message, /exited/);
    const stream = pool!.openPartial({ progress: () => {}, failed: assert.fail });
    stream.startUtterance(2, 0);
    assert.deepEqual((await stream.endUtterance()).map((w) => w.word), ['heard'], 'a replacement worker took over');
  });

  it('reports an engine that cannot load to every stream', async () => {
    start({ model: { hmm: 'missing', lm: 'x', dict: 'x' } });
    const failed = new Promise<Error>((resolve) => pool!.openPartial({ progress: () => {}, failed: resolve }));
    assert.match((await failed).message, /could not be loaded/);
    assert.equal(await pool!.calibration, null);
  });

  // Mocked timers: the deadline passes when the test says, however slowly the workers start on this machine.
  it('kills a worker that hangs while loading and fails every stream, as for an engine that cannot load', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const dir = await mkdtemp(join(tmpdir(), 'hark-hung-worker-'));
    try {
      start({ model: { hmm: 'hang', lm: join(dir, 'pid'), dict: 'x' }, startTimeoutMs: 60_000 });
      const failed = new Promise<Error>((resolve) => pool!.openPartial({ progress: () => {}, failed: resolve }));
      const pid = await hungWorkerPid(join(dir, 'pid'));
      t.mock.timers.tick(60_000);
      assert.equal((await failed).message, 'Speech engine could not be loaded: the worker did not start within 60 s');
      assert.equal(await pool!.calibration, null);
      await exited(pid);
      const late = new Promise<Error>((resolve) => pool!.openPartial({ progress: () => {}, failed: resolve }));
      assert.match((await late).message, /did not start within 60 s/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps workers that loaded before the deadline', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    start({ startTimeoutMs: 60_000 });
    const stream = pool!.openPartial({ progress: () => {}, failed: assert.fail });
    assert.notEqual(await pool!.calibration, null, 'the worker is ready');
    t.mock.timers.tick(60_000);
    stream.startUtterance(1, 0);
    assert.deepEqual((await stream.endUtterance()).map((w) => w.word), ['heard']);
    stream.close();
  });

  it('sizes its capacity from the first worker\'s calibration', async () => {
    start();
    const before = pool!.capacity();
    // An open stream keeps the workers (and this test) alive until the calibration arrives.
    const stream = pool!.openPartial({ progress: () => {}, failed: assert.fail });
    const calibration = await pool!.calibration;
    assert.equal(calibration?.realTimeFactor, 0.1);
    assert.equal(calibration?.capacity, pool!.capacity());
    // 0.1 of a core per session against the uncalibrated 0.2: twice as many sessions.
    assert.ok(pool!.capacity() >= 2 * before - 1 && pool!.capacity() > before, `${before} → ${pool!.capacity()}`);
    stream.close();
  });

  it('admits fewer sessions when other programs keep the cores busy', async () => {
    const busy = { start() {}, stop() {}, otherThreads: () => 6 };
    const quiet = new RealtimeRecognitionPool({ workers: 1, workerUrl: FAKE_WORKER, contention: idleMachine });
    const loaded = new RealtimeRecognitionPool({ workers: 1, workerUrl: FAKE_WORKER, contention: busy });
    // One worker among six other runnable threads gets a seventh of a core (a third on two cores).
    const cores = availableParallelism();
    assert.equal(loaded.capacity(), Math.max(1, Math.floor(quiet.capacity() * Math.min(1, cores / 7))));
    await Promise.all([quiet.close(), loaded.close()]);
  });

  it('follows what live audio costs, reported by the workers', async () => {
    start();
    const stream = pool!.openPartial({ progress: () => {}, failed: assert.fail });
    const calibrated = await pool!.calibration;
    // The fake worker reports a speed after each end of utterance: 400 ms of CPU for 1 s of audio.
    stream.startUtterance(1, 0);
    await stream.endUtterance();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(pool!.capacity() < calibrated!.capacity, `${calibrated!.capacity} → ${pool!.capacity()}`);
    stream.close();
  });

  it('has no final pass of its own unless given a final engine', () => {
    assert.equal(start().openFinal, undefined);
  });

  it('recognises finished utterances in final workers with a final engine, an error failing only its utterance', async () => {
    start({ finalEngine: { id: 'pocketsphinx' } });
    const final = pool!.openFinal!(null);
    const signal = new AbortController().signal;
    const words = await final.recognize(new Int16Array(1600), 500, signal);
    assert.deepEqual(words.map((w) => w.word), ['final', '1600', 'final'], 'recognised by a final worker');
    await assert.rejects(final.recognize(new Int16Array(160), 13, signal), /unlucky/);
    assert.deepEqual((await final.recognize(new Int16Array(320), 900, signal)).map((w) => w.word), ['final', '320', 'final']);
    assert.ok(final.estimateMs(1000) > 0);
    // Streams still go to the stream workers.
    const stream = pool!.openPartial({ progress: () => {}, failed: assert.fail });
    stream.startUtterance(1, 0);
    assert.deepEqual((await stream.endUtterance()).map((w) => w.word), ['heard']);
    stream.close();
    final.close();
    const aborted = new AbortController();
    aborted.abort(new Error('gone'));
    await assert.rejects(pool!.openFinal!(null).recognize(new Int16Array(16), 0, aborted.signal), /gone/);
  });
});
