/**
 * A scripted stand-in for src/jobs/realtime-recognition-worker.ts, for
 * testing the real-time pool without an engine. It speaks the same protocol:
 *
 * every `audio` is acknowledged with the hypothesis ["heard"], every `end`
 * answered with ["heard"] and a speed report of 0.4 (400 ms of CPU for 1 s of audio); an utterance started at offset 666 makes the
 * process die instead. A `final` worker answers each `recognize` with
 * ["final", <samples>, <role>], or an error for an utterance at offset 13. It reports a calibration of 0.1 (100 ms for 1 s) when asked.
 *
 * A model whose hmm is `missing` makes it report that its engine failed to load;
 * one whose hmm is `hang` makes it hang while loading (test/support/hung-worker.ts), its pid in the file `lm` names.
 */
import { serializeError } from '../../src/jobs/recognition-messages.js';
import {
  type FromRealtimeWorker,
  REALTIME_WORKER_SETUP_ENV,
  type RealtimeWorkerSetup,
  type ToRealtimeWorker,
} from '../../src/jobs/realtime-recognition-messages.js';
import { hangWhileLoading } from './hung-worker.js';

// The test runner executes every file under dist/test; outside a worker, do nothing.
const setupJson = process.env[REALTIME_WORKER_SETUP_ENV];
if (process.send && setupJson !== undefined) serve(JSON.parse(setupJson) as RealtimeWorkerSetup);

function serve(setup: RealtimeWorkerSetup): void {
  const post = (message: FromRealtimeWorker) => process.send!(message);
  process.on('disconnect', () => process.exit(0));
  if (setup.model?.hmm === 'missing') {
    process.send!({ type: 'init-error', error: serializeError(new Error('PocketSphinx model: hmm not found at missing')) }, () => process.exit(1));
    return;
  }
  if (setup.model?.hmm === 'hang') hangWhileLoading(setup.model.lm);
  const heard = [{ word: 'heard', startMs: 0, endMs: 100 }];
  const utterances = new Map<number, number>();
  process.on('message', (message: ToRealtimeWorker) => {
    switch (message.type) {
      case 'start':
        if (message.offsetMs === 666) process.exit(3);
        utterances.set(message.streamId, message.utteranceId);
        return;
      case 'audio':
        post({ type: 'progress', streamId: message.streamId, utteranceId: utterances.get(message.streamId) ?? 0, words: heard, samples: message.samples.length, positionMs: 0 });
        return;
      case 'end':
        post({ type: 'ended', streamId: message.streamId, words: heard.map((w) => ({ ...w, confidence: 1 })) });
        post({ type: 'speed', audioMs: 1000, cpuMs: 400 });
        return;
      case 'recognize':
        if (message.offsetMs === 13) {
          post({ type: 'job-error', jobId: message.jobId, error: serializeError(new Error('unlucky utterance')) });
          return;
        }
        post({
          type: 'recognized', jobId: message.jobId, elapsedMs: 1,
          words: ['final', String(message.samples.length), setup.role].map((word) => ({ word, startMs: message.offsetMs, endMs: message.offsetMs, confidence: 1 })),
        });
        return;
      default:
        return;
    }
  });
  post({ type: 'ready', calibration: setup.calibrate ? { audioMs: 1000, cpuMs: 100, elapsedMs: 100 } : null });
}
