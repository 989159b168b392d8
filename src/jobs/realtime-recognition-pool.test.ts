// The pool's scheduling and failure handling, with a scripted worker
// (test/support/fake-realtime-worker.ts). The real workers run in
// test/e2e/realtime.test.ts.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { PartialEvents } from '../pipeline/stream.js';
import { RealtimeRecognitionPool } from './realtime-recognition-pool.js';

const FAKE_WORKER = new URL('../../test/support/fake-realtime-worker.js', import.meta.url);

describe('RealtimeRecognitionPool', () => {
  let pool: RealtimeRecognitionPool | undefined;
  afterEach(() => pool?.close());
  const start = (options: { model?: { hmm: string; lm: string; dict: string } } = {}) => {
    pool = new RealtimeRecognitionPool({ workers: 1, workerUrl: FAKE_WORKER, ...options });
    return pool;
  };
  const recognize = (final: ReturnType<RealtimeRecognitionPool['openFinal']>, offsetMs: number, signal = new AbortController().signal) =>
    final.recognize(new Int16Array(1600), offsetMs, signal).then((words) => words[0]!.word);

  it('serves sessions in turn: one that queued many utterances does not delay the others', async () => {
    start();
    const greedy = pool!.openFinal();
    const modest = pool!.openFinal();
    const order: string[] = [];
    const done = [
      ...[1, 2, 3, 4].map((i) => recognize(greedy, i).then((w) => order.push(`greedy ${w}`))),
      recognize(modest, 100).then((w) => order.push(`modest ${w}`)),
    ];
    await Promise.all(done);
    assert.ok(order.indexOf('modest 100') <= 1, order.join(', '));
  });

  it('streams fast-pass results back to their stream', async () => {
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

  it('drops an aborted utterance that has not started', async () => {
    start();
    const final = pool!.openFinal();
    const controller = new AbortController();
    const first = recognize(final, 1);
    const second = recognize(final, 2, controller.signal);
    controller.abort(new Error('not needed'));
    await assert.rejects(second, /not needed/);
    assert.equal(await first, '1');
  });

  it('fails the work of a worker that dies, and carries on with a new one', async () => {
    start();
    let failure: Error | null = null;
    pool!.openPartial({ progress: () => {}, failed: (err) => (failure = err) });
    const final = pool!.openFinal();
    await assert.rejects(recognize(final, 666), /exited/);
    assert.equal(await recognize(final, 5), '5', 'a replacement worker took over');
    // Streams of the dead worker were on the other (fast) worker: untouched.
    assert.equal(failure, null);
  });

  it('reports an engine that cannot load to every stream and job', async () => {
    start({ model: { hmm: 'missing', lm: 'x', dict: 'x' } });
    const failed = new Promise<Error>((resolve) => pool!.openPartial({ progress: () => {}, failed: resolve }));
    await assert.rejects(recognize(pool!.openFinal(), 1), /could not be loaded/);
    assert.match((await failed).message, /could not be loaded/);
  });
});
