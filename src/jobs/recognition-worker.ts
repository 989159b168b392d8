/**
 * Entry point of a recognition worker thread (started by recognition-pool.ts):
 * loads the engine once, then runs the batch pipeline for each job it is sent.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { transcribeFile } from '../pipeline/batch.js';
import { PocketSphinxEngine } from '../pipeline/engines/pocketsphinx/pocketsphinx-engine.js';
import { type FromWorker, type ToWorker, type WorkerSetup, serializeError } from './recognition-messages.js';

// Imported outside a worker (e.g. by a test runner scanning dist/) it does nothing.
if (parentPort) serve(parentPort, workerData as WorkerSetup);

function serve(port: NonNullable<typeof parentPort>, setup: WorkerSetup): void {
  const post = (message: FromWorker) => port.postMessage(message);
  if (!process.env.NO_NICE) lowerThreadPriority();
  let engine: PocketSphinxEngine;
  try {
    engine = new PocketSphinxEngine(setup.model);
  } catch (err) {
    post({ type: 'init-error', error: serializeError(err) });
    return;
  }

  const running = new Map<number, AbortController>();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'cancel') {
      running.get(message.jobId)?.abort();
      return;
    }
    const { jobId, request } = message;
    const controller = new AbortController();
    running.set(jobId, controller);
    transcribeFile(request.audioPath, { maxDurationMs: request.maxDurationMs }, engine, controller.signal)
      .then(
        (result) => post({ type: 'result', jobId, result }),
        (err: unknown) => post({ type: 'error', jobId, error: serializeError(err) }),
      )
      .finally(() => running.delete(jobId));
  });
  post({ type: 'ready' });
}

/**
 * Batch recognition is background work: when CPUs are scarce, the server's
 * event loop should win them. Linux applies a nice value set through a
 * thread id to that thread alone, and ffmpeg children inherit it.
 */
function lowerThreadPriority(): void {
  try {
    // /proc/thread-self links to <pid>/task/<tid> of the calling thread.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, 10);
  } catch {
    // Not Linux, or not permitted: run at normal priority.
  }
}
