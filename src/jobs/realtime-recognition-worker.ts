/**
 * Entry point of a real-time recognition worker process (forked by
 * realtime-recognition-pool.ts). Loads its engine once; a `fast` worker then
 * streams live utterances through one decoder per stream, an `accurate`
 * worker recognises whole utterances. Decoders outlive streams: a closed
 * stream's decoder serves the next one (loading one costs ≈0.5 s).
 */
import { setPriority } from 'node:os';
import { createBatchEngine, createStreamingEngine } from '../pipeline/engines/engine-registry.js';
import {
  type BatchEngine,
  ENGINE_SAMPLE_RATE,
  type StreamingEngine,
  type StreamingRecognizer,
  withLanguage,
} from '../pipeline/engines/speech-engine.js';
import { PROVISIONAL_CONFIDENCE } from '../pipeline/tokens/transcript-assembler.js';
import { serializeError } from './recognition-messages.js';
import {
  type FromRealtimeWorker,
  REALTIME_WORKER_SETUP_ENV,
  type RealtimeWorkerSetup,
  type ToRealtimeWorker,
} from './realtime-recognition-messages.js';

/**
 * The fast pass's search, about twice as fast as the accurate one at the
 * same word error rate on our test speech: no second (flat lexicon) pass,
 * and at most 3000 HMMs and 10 word exits per frame. Word posteriors still
 * come from the lattice at the end of each utterance.
 */
export const FAST_PASS_DECODER_ARGS = ['-fwdflat', 'no', '-maxhmmpf', '3000', '-maxwpf', '10'];

/**
 * An accurate worker serves the sessions in turn, each with its own context:
 * it keeps the searches of this many contexts built (≈40 MB each) rather
 * than rebuilding one (0.1–0.3 s) whenever the session changes.
 */
const ACCURATE_PASS_CONTEXT_SEARCHES = 4;

// Imported outside a worker (e.g. by a test runner scanning dist/) it does nothing.
const setupJson = process.env[REALTIME_WORKER_SETUP_ENV];
if (process.send && setupJson !== undefined) void serve(JSON.parse(setupJson) as RealtimeWorkerSetup);

async function serve(setup: RealtimeWorkerSetup): Promise<void> {
  const post = (message: FromRealtimeWorker) => process.send!(message);
  // The pool going away (server stopped or killed) ends the worker too.
  process.on('disconnect', () => process.exit(0));
  // The fast pass sets the pace of every session (its results are what the
  // client sees first); the accurate pass can wait. When cores are scarce,
  // the fast workers win them.
  if (setup.role === 'accurate') lowerPriority();
  // The pool opens streams before the worker is ready: hold their messages while the engine loads.
  const early: ToRealtimeWorker[] = [];
  const hold = (message: ToRealtimeWorker) => early.push(message);
  process.on('message', hold);
  const pocketsphinx = setup.model ? { model: setup.model } : {};
  let handle: (message: ToRealtimeWorker) => void;
  try {
    handle = setup.role === 'fast'
      ? fastPass(await createStreamingEngine(setup.partialEngine ?? { id: 'pocketsphinx', ...pocketsphinx, decoderArgs: FAST_PASS_DECODER_ARGS }), post)
      : accuratePass(
        await createBatchEngine(setup.engine ?? { id: 'pocketsphinx', ...pocketsphinx, contextSearches: ACCURATE_PASS_CONTEXT_SEARCHES }),
        post,
      );
  } catch (err) {
    process.send!({ type: 'init-error', error: serializeError(err) } satisfies FromRealtimeWorker, () => process.exit(1));
    return;
  }
  process.off('message', hold);
  process.on('message', handle);
  for (const message of early.splice(0)) handle(message);
  post({ type: 'ready' });
}

/** Nice 5: below the fast pass and the server, above async jobs (nice 10). */
function lowerPriority(): void {
  try {
    setPriority(5);
  } catch {
    // Not permitted: run at normal priority.
  }
}

interface Stream {
  recognizer: StreamingRecognizer;
  utteranceId: number;
  offsetMs: number;
  /** Samples of the current utterance processed so far. */
  samples: number;
  inUtterance: boolean;
}

function fastPass(engine: StreamingEngine, post: (message: FromRealtimeWorker) => void) {
  const streams = new Map<number, Stream>();
  const idle: StreamingRecognizer[] = [];

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
        const recognizer = idle.pop() ?? engine.createStream();
        streams.set(streamId, { recognizer, utteranceId: 0, offsetMs: 0, samples: 0, inUtterance: false });
        // Set for every stream, null included: a reused decoder keeps nothing of the previous stream's context.
        recognizer.setContext?.(message.context);
      } catch (err) {
        fail(streamId, err);
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
          const endpoint = stream.recognizer.endpointDetected?.() === true;
          post({ type: 'progress', streamId, utteranceId: stream.utteranceId, words, samples: message.samples.length, positionMs, ...(endpoint ? { endpoint } : {}) });
          return;
        }
        case 'end': {
          stream.inUtterance = false;
          // The narrow search can leave no word ending on the last frame when
          // the audio stops right after speech; the word lattice is then
          // empty, though the hypothesis just before was not.
          const partial = stream.recognizer.partial();
          const words = stream.recognizer.endUtterance();
          const fallback = partial.map((w) => ({ ...w, confidence: PROVISIONAL_CONFIDENCE }));
          post({ type: 'ended', streamId, words: words.length > 0 ? words : fallback });
          return;
        }
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

function accuratePass(engine: BatchEngine, post: (message: FromRealtimeWorker) => void) {
  // Whole-utterance recognition leaves no state in a decoder: one serves every job.
  let recognizer = engine.createBatchRecognizer();
  return (message: ToRealtimeWorker) => {
    if (message.type !== 'recognize') return;
    void (async () => {
      try {
        // Building a session's context search here is not recognition time: keep it out of elapsedMs.
        await recognizer.prepare?.(message.context);
        const started = performance.now();
        const { words, language } = await recognizer.recognize({ samples: message.samples, offsetMs: message.offsetMs, context: message.context });
        // A local engine that identifies the language (sherpa-onnx SenseVoice) labels its words, as in async jobs.
        post({ type: 'recognized', jobId: message.jobId, words: withLanguage(words, language), elapsedMs: performance.now() - started });
      } catch (err) {
        post({ type: 'job-error', jobId: message.jobId, error: serializeError(err) });
        // A call that failed may have left the decoder mid-utterance.
        recognizer.free();
        recognizer = engine.createBatchRecognizer();
      }
    })();
  };
}
