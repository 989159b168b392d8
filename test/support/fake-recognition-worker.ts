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
 * - `segfault`     die of SIGSEGV, as a native crash in the engine would
 * - `hang`         block the process forever, ignoring cancellation
 *
 * A model whose hmm is `missing` makes it report that its engine failed to load;
 * one whose hmm is `hang` makes it hang while loading (test/support/hung-worker.ts), its pid in the file `lm` names.
 * Each result has one token whose text is the worker's process id.
 */
import { AudioDecodeError, AudioTooLongError } from '../../src/pipeline/decode/errors.js';
import {
  type FromWorker,
  type ToWorker,
  type WorkerSetup,
  WORKER_SETUP_ENV,
  serializeError,
} from '../../src/jobs/recognition-messages.js';
import { hangWhileLoading } from './hung-worker.js';

// The test runner executes every file under dist/test; outside a worker, do nothing.
const setupJson = process.env[WORKER_SETUP_ENV];
if (process.send && setupJson !== undefined) serve(JSON.parse(setupJson) as WorkerSetup);

function serve(setup: WorkerSetup): void {
  const post = (message: FromWorker) => process.send!(message);
  process.on('disconnect', () => process.exit(0));
  if (setup.engine.id === 'pocketsphinx' && setup.engine.model?.hmm === 'missing') {
    post({ type: 'init-error', error: serializeError(new Error('PocketSphinx model: hmm not found at missing')) });
    return;
  }
  if (setup.engine.id === 'pocketsphinx' && setup.engine.model?.hmm === 'hang') hangWhileLoading(setup.engine.model.lm);
  const timers = new Map<number, NodeJS.Timeout>();
  process.on('message', (message: ToWorker) => {
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
            const token = { text: String(process.pid), startMs: 0, endMs: 0, confidence: 1 };
            post({ type: 'result', jobId, result: { tokens: [token], audioDurationMs: Number(arg) } });
          }, Number(arg)),
        );
        return;
      case 'decode-error':
        return fail(new AudioDecodeError('the file is not in a supported audio format', 'Invalid data found when processing input'));
      case 'too-long':
        return fail(new AudioTooLongError(request.maxDurationMs));
      case 'fail':
        return fail(new Error('engine failure'));
      case 'crash':
        setImmediate(() => {
          throw new Error('worker blew up');
        });
        return;
      case 'segfault':
        process.kill(process.pid, 'SIGSEGV');
        return;
      case 'hang':
        for (;;);
    }
  });
  post({ type: 'ready' });
}
