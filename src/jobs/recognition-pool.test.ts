// The pool's scheduling, cancellation and failure handling, with a scripted
// worker (test/support/fake-recognition-worker.ts). The real worker runs in
// test/pipeline/batch.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { exited, hungWorkerPid } from '../../test/support/hung-worker.js';
import { AudioDecodeError, AudioTooLongError } from '../pipeline/decode/errors.js';
import { RecognitionPool, RecognitionWorkerDiedError, type RecognitionPoolOptions } from './recognition-pool.js';

const FAKE_WORKER = new URL('../../test/support/fake-recognition-worker.js', import.meta.url);

describe('RecognitionPool', () => {
  let pool: RecognitionPool | undefined;
  afterEach(() => pool?.close());

  function start(options: RecognitionPoolOptions = {}): RecognitionPool {
    pool = new RecognitionPool({ size: 1, workerUrl: FAKE_WORKER, ...options });
    return pool;
  }
  const job = (audioPath: string, signal?: AbortSignal) =>
    pool!.transcribe({ audioPath, maxDurationMs: 60_000 }, signal);

  it('runs jobs on different workers at the same time', async () => {
    start({ size: 2 });
    await pool!.ready();
    const began = Date.now();
    const [a, b] = await Promise.all([job('ok:400'), job('ok:400')]);
    assert.ok(Date.now() - began < 750, `took ${Date.now() - began} ms`);
    assert.notEqual(a.tokens[0]!.text, b.tokens[0]!.text, 'two different processes');
  });

  it('queues jobs while every worker is busy and runs them in order', async () => {
    start();
    const finished: string[] = [];
    await Promise.all(['ok:60', 'ok:20', 'ok:40'].map((p) => job(p).then(() => finished.push(p))));
    assert.deepEqual(finished, ['ok:60', 'ok:20', 'ok:40']);
  });

  it('rebuilds decode errors as their own classes', async () => {
    start();
    const decode = await job('decode-error').catch((err: unknown) => err);
    assert.ok(decode instanceof AudioDecodeError);
    assert.equal(decode.code, 'audio_decode_error');
    assert.equal(decode.message, 'Audio could not be decoded: the file is not in a supported audio format.');
    assert.equal(decode.detail, 'Invalid data found when processing input');
    const tooLong = await job('too-long').catch((err: unknown) => err);
    assert.ok(tooLong instanceof AudioTooLongError);
    assert.equal(tooLong.code, 'audio_too_long');
    assert.equal(tooLong.maxDurationMs, 60_000);
  });

  it('passes other errors on as plain errors', async () => {
    start();
    const err = await job('fail').catch((e: unknown) => e);
    assert.ok(err instanceof Error && !(err instanceof AudioDecodeError));
    assert.equal((err as Error).message, 'engine failure');
    assert.equal((err as { code?: unknown }).code, undefined);
  });

  it('drops a queued job when its signal aborts', async () => {
    start();
    const running = job('ok:200');
    const controller = new AbortController();
    const queued = job('ok:10', controller.signal);
    controller.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    assert.equal((await running).audioDurationMs, 200);
  });

  it('rejects a running job as soon as its signal aborts and frees the worker', async () => {
    start();
    const controller = new AbortController();
    const began = Date.now();
    const running = job('ok:20000', controller.signal);
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(running, { name: 'AbortError' });
    assert.equal((await job('ok:10')).audioDurationMs, 10);
    // Well short of the 20 s the job would take, with room for a loaded machine.
    assert.ok(Date.now() - began < 10_000);
  });

  it('rejects a job whose signal is already aborted without queueing it', async () => {
    start();
    await assert.rejects(job('ok:10', AbortSignal.abort()), { name: 'AbortError' });
  });

  it('replaces a worker that ignores cancellation', async () => {
    start({ cancelGraceMs: 100 });
    await pool!.ready();
    const controller = new AbortController();
    const hung = job('hang', controller.signal);
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(hung, { name: 'AbortError' });
    assert.equal((await job('ok:10')).audioDurationMs, 10);
  });

  it('rejects the job of a crashed worker and replaces the worker', async () => {
    start();
    const err = await job('crash').catch((e: unknown) => e);
    assert.ok(err instanceof RecognitionWorkerDiedError);
    assert.equal(err.code, 'worker_died');
    assert.match(err.message, /Recognition worker crashed \(exit code 1\)/);
    assert.equal((await job('ok:10')).audioDurationMs, 10);
  });

  it('survives a native crash of the engine: only the worker process dies', async () => {
    start();
    await assert.rejects(job('segfault'), /Recognition worker crashed \(exit code SIGSEGV\)/);
    assert.equal((await job('ok:10')).audioDurationMs, 10);
  });

  it('fails every job when the engine cannot be loaded', async () => {
    start({ size: 2, engine: { id: 'pocketsphinx', model: { hmm: 'missing', lm: '', dict: '' } } });
    await assert.rejects(pool!.ready(), /Speech engine could not be loaded: PocketSphinx model: hmm not found/);
    await assert.rejects(job('ok:10'), /Speech engine could not be loaded/);
  });

  // Mocked timers: the deadline passes when the test says, however slowly the workers start on this machine.
  it('kills a worker that hangs while loading and fails every job, as for an engine that cannot load', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const dir = await mkdtemp(join(tmpdir(), 'hark-hung-worker-'));
    try {
      start({ startTimeoutMs: 60_000, engine: { id: 'pocketsphinx', model: { hmm: 'hang', lm: join(dir, 'pid'), dict: '' } } });
      const queued = job('ok:10');
      const pid = await hungWorkerPid(join(dir, 'pid'));
      t.mock.timers.tick(60_000);
      const message = 'Speech engine could not be loaded: the worker did not start within 60 s';
      await assert.rejects(pool!.ready(), { message });
      await assert.rejects(queued, { message });
      await assert.rejects(job('ok:10'), { message });
      await exited(pid);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps workers that loaded before the deadline', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    start({ size: 2, startTimeoutMs: 60_000 });
    await pool!.ready();
    t.mock.timers.tick(60_000);
    const results = await Promise.all([job('ok:10'), job('ok:10')]);
    assert.deepEqual(results.map((r) => r.audioDurationMs), [10, 10]);
  });

  it('is ready once every worker has loaded its engine', async () => {
    start({ size: 3 });
    await pool!.ready();
  });

  it('rejects pending jobs on close and new ones afterwards', async () => {
    start();
    const running = job('ok:5000');
    const queued = job('ok:10');
    await Promise.all([assert.rejects(running, /closed/), assert.rejects(queued, /closed/), pool!.close()]);
    await assert.rejects(job('ok:10'), /closed/);
  });
});
