/**
 * Entry point of a recognition worker process (forked by recognition-pool.ts):
 * loads the engine once, then runs the batch pipeline for each job it is sent.
 */
import { setPriority } from 'node:os';
import { workerNiceSetting } from '../config/config.js';
import { transcribeFile } from '../pipeline/batch.js';
import { BicDiarizer } from '../pipeline/diarization/bic-diarizer.js';
import { speakerNetwork } from '../pipeline/diarization/speaker-model.js';
import { createBatchEngine } from '../pipeline/engines/engine-registry.js';
import type { BatchEngine } from '../pipeline/engines/speech-engine.js';
import {
  type FromWorker,
  type ToWorker,
  type WorkerSetup,
  WORKER_SETUP_ENV,
  serializeError,
} from './recognition-messages.js';

// Imported outside a worker (e.g. by a test runner scanning dist/) it does nothing.
const setupJson = process.env[WORKER_SETUP_ENV];
if (process.send && setupJson !== undefined) void serve(JSON.parse(setupJson) as WorkerSetup);

async function serve(setup: WorkerSetup): Promise<void> {
  const post = (message: FromWorker) => process.send!(message);
  // The pool going away (server stopped or killed) ends the worker too.
  process.on('disconnect', () => process.exit(0));
  lowerPriority();
  let engine: BatchEngine;
  try {
    engine = await createBatchEngine(setup.engine);
  } catch (err) {
    post({ type: 'init-error', error: serializeError(err) });
    return;
  }

  const running = new Map<number, AbortController>();
  process.on('message', (message: ToWorker) => {
    if (message.type === 'cancel') {
      running.get(message.jobId)?.abort();
      return;
    }
    const { jobId, request } = message;
    const controller = new AbortController();
    running.set(jobId, controller);
    const options = {
      maxDurationMs: request.maxDurationMs,
      context: request.context ?? null,
      diarizer: request.enableSpeakerDiarization ? new BicDiarizer({}, speakerNetwork()) : null,
      language: request.languageHints?.[0] ?? null,
      wholeUpToMs: request.wholeUpToMs ?? 0,
      segmentation: { detector: setup.vad ?? 'energy' },
    };
    transcribeFile(request.audioPath, options, engine, controller.signal)
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
 * event loop should win them. ffmpeg children inherit the nice value.
 */
function lowerPriority(): void {
  try {
    setPriority(workerNiceSetting());
  } catch {
    // Not permitted: run at normal priority.
  }
}
