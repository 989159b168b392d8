/**
 * A scripted stand-in for src/jobs/recognition-worker.ts, for testing the
 * recognition pool without an engine. It speaks the same protocol; the
 * request's audioPath says what to do:
 *
 * - `ok:<ms>`      answer after <ms> (early, with an abort error, when cancelled)
 * - `decode-error` fail with AudioDecodeError
 * - `too-long`     fail with AudioTooLongError
 * - `fail`         fail with a plain Error
 * - `crash`        throw an uncaught exception (the worker dies)
 * - `hang`         block the thread forever, ignoring cancellation
 *
 * A model whose hmm is `missing` makes it report that its engine failed to load.
 * Each result has one token whose text is the worker's thread id.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { AudioDecodeError, AudioTooLongError } from '../../src/pipeline/decode/errors.js';
import { type FromWorker, type ToWorker, type WorkerSetup, serializeError } from '../../src/jobs/recognition-messages.js';

// The test runner executes every file under dist/test; outside a worker, do nothing.
if (parentPort) serve(parentPort);

function serve(port: NonNullable<typeof parentPort>): void {
  const post = (message: FromWorker) => port.postMessage(message);
  if ((workerData as WorkerSetup).model?.hmm === 'missing') {
    post({ type: 'init-error', error: serializeError(new Error('PocketSphinx model: hmm not found at missing')) });
    return;
  }
  const timers = new Map<number, NodeJS.Timeout>();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'cancel') {
      clearTimeout(timers.get(message.jobId));
      post({ type: 'error', jobId: message.jobId, error: serializeError(new Error('aborted')) });
      return;
    }
    const { jobId, request } = message;
    const fail = (err: Error) => post({ type: 'error', jobId, error: serializeError(err) });
    const [command, arg] = request.audioPath.split(':');
    switch (command) {
      case 'ok':
        timers.set(
          jobId,
          setTimeout(() => {
            const token = { text: String(threadId), startMs: 0, endMs: 0, confidence: 1 };
            post({ type: 'result', jobId, result: { tokens: [token], audioDurationMs: Number(arg) } });
          }, Number(arg)),
        );
        return;
      case 'decode-error':
        return fail(new AudioDecodeError('Invalid data found when processing input'));
      case 'too-long':
        return fail(new AudioTooLongError(request.maxDurationMs));
      case 'fail':
        return fail(new Error('engine failure'));
      case 'crash':
        setImmediate(() => {
          throw new Error('worker blew up');
        });
        return;
      case 'hang':
        for (;;);
    }
  });
  post({ type: 'ready' });
}
