import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeSpeechEngine } from '../../test/support/fake-speech-engine.js';
import { BatchFinalPass } from './batch-final-pass.js';

describe('BatchFinalPass', () => {
  test('serves sessions in turn, passes the language hint, labels words with the heard language', async () => {
    const served: number[] = [];
    const engine = new FakeSpeechEngine(async (_, offsetMs) => {
      served.push(offsetMs);
      await delay(10);
      return [{ word: 'hi', startMs: offsetMs, endMs: offsetMs + 100, confidence: 0.8 }];
    });
    const base = engine.createBatchRecognizer.bind(engine);
    engine.createBatchRecognizer = () => {
      const r = base();
      return { ...r, recognize: async (req) => ({ ...(await r.recognize(req)), language: 'de' }) };
    };
    const pass = new BatchFinalPass(engine, { concurrency: 1 });
    const greedy = pass.openFinal(null, 'de');
    const modest = pass.openFinal();
    const signal = new AbortController().signal;
    const done = [
      ...[1, 2, 3].map((i) => greedy.recognize(new Int16Array(1600), i, signal)),
      modest.recognize(new Int16Array(1600), 100, signal),
    ];
    const results = await Promise.all(done);
    assert.ok(served.indexOf(100) <= 1, served.join());
    assert.deepEqual(results[0], [{ word: 'hi', startMs: 1, endMs: 101, confidence: 0.8, language: 'de' }]);
    assert.deepEqual(engine.calls[0], { offsetMs: 1, sampleCount: 1600, language: 'de' });
    assert.ok(greedy.estimateMs(1000) > 0);
    await pass.close();
  });

  test('an aborted or closed session’s queued utterances are dropped; engine errors reach the session', async () => {
    const engine = new FakeSpeechEngine(async (_, offsetMs) => {
      await delay(20);
      if (offsetMs === 666) throw new Error('engine down');
      return [];
    });
    const pass = new BatchFinalPass(engine, { concurrency: 1 });
    const final = pass.openFinal();
    const controller = new AbortController();
    const first = final.recognize(new Int16Array(160), 1, new AbortController().signal);
    const aborted = final.recognize(new Int16Array(160), 2, controller.signal);
    controller.abort(new Error('overdue'));
    await assert.rejects(aborted, /overdue/);
    await first;
    await assert.rejects(final.recognize(new Int16Array(160), 666, new AbortController().signal), /engine down/);
    const queued = [final.recognize(new Int16Array(160), 3, new AbortController().signal), final.recognize(new Int16Array(160), 4, new AbortController().signal)];
    final.close();
    const outcomes = await Promise.allSettled(queued);
    assert.equal(outcomes[1]!.status, 'rejected');
    assert.deepEqual(engine.calls.map((c) => c.offsetMs).includes(2), false, 'the aborted utterance was never sent');
    await pass.close();
  });
});
