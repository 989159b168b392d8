import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeSpeechEngine } from '../../../test/support/fake-speech-engine.js';
import { BoundedBatchEngine } from './bounded-batch-engine.js';
import { EngineUnavailableError, type RecognizedWord } from './speech-engine.js';

const word = (offsetMs: number): RecognizedWord[] => [{ word: 'hi', startMs: offsetMs, endMs: offsetMs + 100, confidence: 1 }];
const request = (offsetMs: number, signal?: AbortSignal) => ({ samples: new Int16Array(160), offsetMs, ...(signal ? { signal } : {}) });

describe('BoundedBatchEngine', () => {
  test('at most `concurrency` calls in flight, over every recognizer', async () => {
    let inFlight = 0;
    let most = 0;
    const inner = new FakeSpeechEngine(async (_, offsetMs) => {
      most = Math.max(most, ++inFlight);
      await delay(20);
      inFlight--;
      return word(offsetMs);
    });
    const engine = new BoundedBatchEngine(inner, { concurrency: 2, timeoutMs: 5000, retries: 0, backoffMs: 0 });
    assert.equal(engine.capabilities.batchConcurrency, 2);
    const [a, b] = [engine.createBatchRecognizer(), engine.createBatchRecognizer()];
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? a : b).recognize(request(i))));
    assert.deepEqual(results.map((r) => r.words[0]!.startMs), [0, 1, 2, 3, 4, 5]);
    assert.equal(most, 2);
  });

  test('retries what may pass, with backoff, then gives up with the engine’s error', async () => {
    let calls = 0;
    const inner = new FakeSpeechEngine(() => {
      calls++;
      throw new EngineUnavailableError('The speech engine answered HTTP 503', { retryable: true });
    });
    const engine = new BoundedBatchEngine(inner, { concurrency: 1, timeoutMs: 5000, retries: 2, backoffMs: 10 });
    const started = Date.now();
    await assert.rejects(engine.createBatchRecognizer().recognize(request(0)), /HTTP 503/);
    assert.equal(calls, 3);
    assert.ok(Date.now() - started >= 30, 'waited 10 + 20 ms between attempts');
  });

  test('a refusal of the request is not retried; a later success is returned', async () => {
    let calls = 0;
    const refusing = new BoundedBatchEngine(
      new FakeSpeechEngine(() => {
        calls++;
        throw new EngineUnavailableError('The speech engine answered HTTP 400');
      }),
      { concurrency: 1, timeoutMs: 5000, retries: 3, backoffMs: 0 },
    );
    await assert.rejects(refusing.createBatchRecognizer().recognize(request(0)), /HTTP 400/);
    assert.equal(calls, 1);

    let attempts = 0;
    const flaky = new BoundedBatchEngine(
      new FakeSpeechEngine((_, offsetMs) => {
        if (++attempts < 3) throw new EngineUnavailableError('no connection', { retryable: true });
        return word(offsetMs);
      }),
      { concurrency: 1, timeoutMs: 5000, retries: 3, backoffMs: 0 },
    );
    assert.equal((await flaky.createBatchRecognizer().recognize(request(7))).words[0]!.startMs, 7);
  });

  test('an attempt over the time limit fails as unavailable (retryable)', async () => {
    let calls = 0;
    const inner = new FakeSpeechEngine(async (_, __, req) => {
      calls++;
      await delay(10_000, undefined, { signal: req.signal! });
      return [];
    });
    const engine = new BoundedBatchEngine(inner, { concurrency: 1, timeoutMs: 30, retries: 1, backoffMs: 0 });
    await assert.rejects(engine.createBatchRecognizer().recognize(request(0)), (err: unknown) => {
      assert.ok(err instanceof EngineUnavailableError);
      assert.match(err.message, /did not answer within 30 ms/);
      return true;
    });
    assert.equal(calls, 2);
  });

  test('aborting rejects with the reason, whether waiting for a slot or in flight', async () => {
    const inner = new FakeSpeechEngine(async (_, offsetMs, req) => {
      await delay(10_000, undefined, { signal: req.signal! });
      return word(offsetMs);
    });
    const engine = new BoundedBatchEngine(inner, { concurrency: 1, timeoutMs: 60_000, retries: 5, backoffMs: 0 });
    const recognizer = engine.createBatchRecognizer();
    const controller = new AbortController();
    const running = recognizer.recognize(request(0, controller.signal));
    const waiting = recognizer.recognize(request(1, controller.signal));
    const reason = new Error('job cancelled');
    controller.abort(reason);
    await assert.rejects(running, (err) => err === reason);
    await assert.rejects(waiting, (err) => err === reason);
    assert.equal(inner.calls.length, 1, 'the waiting call never reached the engine');
  });
});
