/**
 * Entry point of a real-time recognition worker thread (started by
 * realtime-recognition-pool.ts). Loads its engine once; a `fast` worker then
 * streams live utterances through one decoder per stream, an `accurate`
 * worker recognises whole utterances. Decoders outlive streams: a closed
 * stream's decoder serves the next one (loading one costs ≈0.5 s).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PocketSphinxEngine } from '../pipeline/engines/pocketsphinx/pocketsphinx-engine.js';
import { ENGINE_SAMPLE_RATE, type Recognizer } from '../pipeline/engines/speech-engine.js';
import { serializeError } from './recognition-messages.js';
import type { FromRealtimeWorker, RealtimeWorkerSetup, ToRealtimeWorker } from './realtime-recognition-messages.js';

/**
 * The fast pass's search, about twice as fast as the accurate one at the
 * same word error rate on our test speech: no second (flat lexicon) pass,
 * and at most 3000 HMMs and 10 word exits per frame. Word posteriors still
 * come from the lattice at the end of each utterance.
 */
export const FAST_PASS_DECODER_ARGS = ['-fwdflat', 'no', '-maxhmmpf', '3000', '-maxwpf', '10'];

// Imported outside a worker (e.g. by a test runner scanning dist/) it does nothing.
if (parentPort) serve(parentPort, workerData as RealtimeWorkerSetup);

function serve(port: NonNullable<typeof parentPort>, setup: RealtimeWorkerSetup): void {
  const post = (message: FromRealtimeWorker) => port.postMessage(message);
  let engine: PocketSphinxEngine;
  try {
    engine = new PocketSphinxEngine(setup.model, setup.role === 'fast' ? FAST_PASS_DECODER_ARGS : []);
  } catch (err) {
    post({ type: 'init-error', error: serializeError(err) });
    return;
  }
  port.on('message', setup.role === 'fast' ? fastPass(engine, post) : accuratePass(engine, post));
  post({ type: 'ready' });
}

interface Stream {
  recognizer: Recognizer;
  utteranceId: number;
  offsetMs: number;
  /** Samples of the current utterance processed so far. */
  samples: number;
  inUtterance: boolean;
}

function fastPass(engine: PocketSphinxEngine, post: (message: FromRealtimeWorker) => void) {
  const streams = new Map<number, Stream>();
  const idle: Recognizer[] = [];

  const fail = (streamId: number, err: unknown) => {
    const stream = streams.get(streamId);
    // A decoder that failed mid-call may hold any state: never lend it again.
    stream?.recognizer.free();
    streams.delete(streamId);
    post({ type: 'stream-error', streamId, error: serializeError(err) });
  };

  return (message: ToRealtimeWorker) => {
    if (message.type === 'recognize') return;
    const { streamId } = message;
    if (message.type === 'open') {
      try {
        streams.set(streamId, { recognizer: idle.pop() ?? engine.createRecognizer(), utteranceId: 0, offsetMs: 0, samples: 0, inUtterance: false });
      } catch (err) {
        post({ type: 'stream-error', streamId, error: serializeError(err) });
      }
      return;
    }
    const stream = streams.get(streamId);
    if (!stream) return; // closed or failed: late messages are moot
    try {
      switch (message.type) {
        case 'start':
          stream.recognizer.startUtterance(message.offsetMs);
          Object.assign(stream, { utteranceId: message.utteranceId, offsetMs: message.offsetMs, samples: 0, inUtterance: true });
          return;
        case 'audio': {
          stream.recognizer.process(message.samples);
          stream.samples += message.samples.length;
          const positionMs = stream.offsetMs + Math.floor((stream.samples * 1000) / ENGINE_SAMPLE_RATE);
          const words = stream.recognizer.partial();
          post({ type: 'progress', streamId, utteranceId: stream.utteranceId, words, samples: message.samples.length, positionMs });
          return;
        }
        case 'end':
          stream.inUtterance = false;
          post({ type: 'ended', streamId, words: stream.recognizer.endUtterance() });
          return;
        case 'close':
          streams.delete(streamId);
          if (stream.inUtterance) stream.recognizer.endUtterance();
          idle.push(stream.recognizer);
          return;
      }
    } catch (err) {
      fail(streamId, err);
    }
  };
}

function accuratePass(engine: PocketSphinxEngine, post: (message: FromRealtimeWorker) => void) {
  // Whole-utterance recognition leaves no state in a decoder: one serves every job.
  let recognizer = engine.createRecognizer();
  return (message: ToRealtimeWorker) => {
    if (message.type !== 'recognize') return;
    const started = performance.now();
    try {
      const words = recognizer.recognize(message.samples, message.offsetMs);
      post({ type: 'recognized', jobId: message.jobId, words, elapsedMs: performance.now() - started });
    } catch (err) {
      post({ type: 'job-error', jobId: message.jobId, error: serializeError(err) });
      // A call that failed may have left the decoder mid-utterance.
      recognizer.free();
      recognizer = engine.createRecognizer();
    }
  };
}
