/**
 * Entry point of a real-time recognition worker process (forked by
 * realtime-recognition-pool.ts). Loads its engine once, then streams live
 * utterances through one decoder per stream; the words a decoder gives at
 * the end of an utterance are its final words (a `final` worker instead
 * recognises finished utterances with a batch-only local engine, for
 * sessions whose final pass is that engine). Decoders outlive streams: a
 * closed stream's decoder serves the next one, and a few are built ahead
 * (loading one costs ≈0.4 s of CPU and ≈95 MB), so new sessions do not wait.
 */
import { createBatchEngine, createStreamingEngine } from '../pipeline/engines/engine-registry.js';
import { measureStreamingSpeed } from '../pipeline/engines/pocketsphinx/calibration.js';
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
  type Calibration,
  type FromRealtimeWorker,
  REALTIME_WORKER_SETUP_ENV,
  type RealtimeWorkerSetup,
  type ToRealtimeWorker,
} from './realtime-recognition-messages.js';

/**
 * The streaming search: no second (flat lexicon) pass, at most 3000 HMMs
 * and 10 word exits per frame. Over the LibriVox recordings its words are as
 * close to the reference as the whole-utterance decoder's with the async
 * settings (docs/realtime.md), at a third of the CPU, and the end of an
 * utterance costs only the lattice's best path (≈10 ms), not a second pass
 * over it. Word posteriors come from that lattice.
 */
export const STREAMING_DECODER_ARGS = ['-fwdflat', 'no', '-maxhmmpf', '3000', '-maxwpf', '10'];

/** Once the last stream closed, wait this long for quiet before building decoders back up to the warm count. */
const REPLENISH_DELAY_MS = 1000;
/** Audio processed between the worker's reports of what it cost ({@link FromRealtimeWorker} `speed`). */
const SPEED_REPORT_AUDIO_MS = 5000;

async function serve(setup: RealtimeWorkerSetup): Promise<void> {
  const post = (message: FromRealtimeWorker) => process.send!(message);
  // The pool going away (server stopped or killed) ends the worker too.
  process.on('disconnect', () => process.exit(0));
  // The pool opens streams before the worker is ready: hold their messages while the engine loads.
  const early: ToRealtimeWorker[] = [];
  const hold = (message: ToRealtimeWorker) => early.push(message);
  process.on('message', hold);
  let handle: (message: ToRealtimeWorker) => void;
  let calibration: Calibration | null = null;
  try {
    if (setup.role === 'stream') {
      const pocketsphinx = { id: 'pocketsphinx' as const, ...(setup.model ? { model: setup.model } : {}), decoderArgs: STREAMING_DECODER_ARGS };
      const engine = await createStreamingEngine(setup.engine ?? pocketsphinx);
      const first = engine.createStream();
      calibration = setup.calibrate ? measureStreamingSpeed(first) : null;
      const streams = new StreamHost(engine, [first], setup.warmDecoders, post);
      handle = (message) => streams.receive(message);
    } else {
      handle = finalPass(await createBatchEngine(setup.engine!), post);
    }
  } catch (err) {
    process.send!({ type: 'init-error', error: serializeError(err) } satisfies FromRealtimeWorker, () => process.exit(1));
    return;
  }
  process.off('message', hold);
  process.on('message', handle);
  for (const message of early.splice(0)) handle(message);
  post({ type: 'ready', calibration });
}

interface Stream {
  recognizer: StreamingRecognizer;
  utteranceId: number;
  offsetMs: number;
  /** Samples of the current utterance processed so far. */
  samples: number;
  inUtterance: boolean;
}

class StreamHost {
  private readonly streams = new Map<number, Stream>();
  private timer: NodeJS.Timeout | null = null;
  /** Messages read in this turn of the event loop, not handled yet. */
  private inbox: ToRealtimeWorker[] = [];
  /** Idle decoders to keep: none until the pool says how many its capacity can use. */
  private warm = 0;
  /** Audio processed and CPU time spent on it since the last speed report. */
  private spent = { audioMs: 0, cpuMs: 0 };

  constructor(
    private readonly engine: StreamingEngine,
    /** Decoders no stream uses. */
    private readonly idle: StreamingRecognizer[],
    /** The most idle decoders to keep. */
    private readonly mostWarm: number,
    private readonly post: (message: FromRealtimeWorker) => void,
  ) {}

  /**
   * Builds idle decoders up to the warm count, one per turn of the event
   * loop, while no stream is open: a build takes ≈0.4 s of CPU, which on a
   * busy machine would hold up every stream of this worker for a second or
   * more. Closed streams' decoders return to the idle ones meanwhile.
   */
  replenish(): void {
    this.timer = null;
    if (this.idle.length >= this.warm || this.streams.size > 0) return;
    setImmediate(() => {
      try {
        this.idle.push(this.engine.createStream());
      } catch {
        return; // Out of memory or the like: streams build their own when they open.
      }
      this.replenish();
    });
  }

  /**
   * Takes a message; the turn's messages are handled together, a stream
   * whose utterance ends among them first (up to its `end`, in order): its
   * finals are what a client waits for, and they need not wait for other
   * streams' audio read in the same turn (a worker behind has many).
   */
  receive(message: ToRealtimeWorker): void {
    this.inbox.push(message);
    if (this.inbox.length === 1) setImmediate(() => this.drain());
  }

  private drain(): void {
    const messages = this.inbox;
    this.inbox = [];
    const lastEnd = new Map<number, number>();
    messages.forEach((m, i) => {
      if (m.type === 'end') lastEnd.set(m.streamId, i);
    });
    const urgent = (m: ToRealtimeWorker, i: number) => 'streamId' in m && i <= (lastEnd.get(m.streamId) ?? -1);
    for (const message of messages.filter(urgent)) this.handle(message);
    for (const message of messages.filter((m, i) => !urgent(m, i))) this.handle(message);
  }

  private handle(message: ToRealtimeWorker): void {
    if (message.type === 'recognize') return; // for final workers
    if (message.type === 'warm') {
      this.warm = Math.min(this.mostWarm, message.decoders);
      this.replenish();
      return;
    }
    const { streamId } = message;
    if (message.type === 'open') {
      try {
        const recognizer = this.idle.pop() ?? this.engine.createStream();
        recognizer.startSession?.();
        // Set for every stream, null included: a reused decoder keeps nothing of the previous stream's context.
        recognizer.setContext?.(message.context);
        this.streams.set(streamId, { recognizer, utteranceId: 0, offsetMs: 0, samples: 0, inUtterance: false });
      } catch (err) {
        this.fail(streamId, err);
      }
      return;
    }
    const stream = this.streams.get(streamId);
    if (!stream) return; // closed or failed: late messages are moot
    try {
      switch (message.type) {
        case 'start':
          stream.recognizer.startUtterance(message.offsetMs);
          Object.assign(stream, { utteranceId: message.utteranceId, offsetMs: message.offsetMs, samples: 0, inUtterance: true });
          return;
        case 'audio': {
          const cpu = process.cpuUsage();
          stream.recognizer.process(message.samples);
          stream.samples += message.samples.length;
          const positionMs = stream.offsetMs + Math.floor((stream.samples * 1000) / ENGINE_SAMPLE_RATE);
          const words = stream.recognizer.partial();
          const endpoint = stream.recognizer.endpointDetected?.() === true;
          this.post({ type: 'progress', streamId, utteranceId: stream.utteranceId, words, samples: message.samples.length, positionMs, ...(endpoint ? { endpoint } : {}) });
          this.account(message.samples.length, process.cpuUsage(cpu));
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
          this.post({ type: 'ended', streamId, words: words.length > 0 ? words : fallback });
          return;
        }
        case 'close':
          this.streams.delete(streamId);
          if (stream.inUtterance) stream.recognizer.endUtterance();
          this.idle.push(stream.recognizer);
          this.replenishWhenQuiet();
          return;
      }
    } catch (err) {
      this.fail(streamId, err);
    }
  }

  private replenishWhenQuiet(): void {
    if (this.streams.size > 0 || this.idle.length >= this.warm) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.replenish(), REPLENISH_DELAY_MS);
  }

  /** What live audio costs on this machine now, reported every few seconds of it: the pool sizes its capacity with it. */
  private account(samples: number, cpu: NodeJS.CpuUsage): void {
    this.spent.audioMs += (samples * 1000) / ENGINE_SAMPLE_RATE;
    this.spent.cpuMs += (cpu.user + cpu.system) / 1000;
    if (this.spent.audioMs < SPEED_REPORT_AUDIO_MS) return;
    this.post({ type: 'speed', ...this.spent });
    this.spent = { audioMs: 0, cpuMs: 0 };
  }

  private fail(streamId: number, err: unknown): void {
    const stream = this.streams.get(streamId);
    // A decoder that failed mid-call may hold any state: never lend it again.
    stream?.recognizer.free();
    this.streams.delete(streamId);
    this.post({ type: 'stream-error', streamId, error: serializeError(err) });
    this.replenishWhenQuiet();
  }
}

function finalPass(engine: BatchEngine, post: (message: FromRealtimeWorker) => void) {
  // Whole-utterance recognition leaves no state in a decoder: one serves every job.
  let recognizer = engine.createBatchRecognizer();
  return (message: ToRealtimeWorker) => {
    if (message.type !== 'recognize') return;
    void (async () => {
      try {
        // Building a session's context search here is not recognition time: keep it out of elapsedMs.
        await recognizer.prepare?.(message.context);
        const started = performance.now();
        const { words, language } = await recognizer.recognize({ samples: message.samples, offsetMs: message.offsetMs, context: message.context, language: message.language ?? null });
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

// Imported outside a worker (e.g. by a test runner scanning dist/) it does nothing. (Last: the class above must be initialised.)
const setupJson = process.env[REALTIME_WORKER_SETUP_ENV];
if (process.send && setupJson !== undefined) void serve(JSON.parse(setupJson) as RealtimeWorkerSetup);
