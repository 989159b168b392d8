/**
 * Kaldi's x-vector speaker embedding network (`vosk-model-spk-0.4`, trained
 * by the Kaldi project on telephone speech: NIST SRE and Switchboard) run on
 * onnxruntime-node's CPU runtime.
 *
 * The network's frame-level part, five TDNN layers (affine, ReLU, batch
 * norm), is converted at load time into an ONNX graph of dilated 1-D
 * convolutions: a TDNN layer that splices frames t-2d … t+2d is a
 * convolution with dilation d. onnxruntime runs it as matrix products, which
 * JavaScript loops could not do within diarization's budget. The
 * segment-level part (mean and standard deviation of the frame outputs over
 * a window, then the 3000 → 128 affine layer Kaldi takes the embedding from)
 * is cheap and done here per window, so that windows of any length and
 * overlap share one pass of the frame-level layers.
 *
 * Embeddings are centred and whitened with the model's `mean.vec` and
 * `transform.mat` and scaled to unit length, as Kaldi's diarization recipe
 * does before scoring; the cosine of two is then their similarity.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FLOAT, encodeOnnxModel, type NodeSpec, type Tensor } from '../../lib/onnx-writer.js';
import { KaldiFormatError, type KaldiMatrix, type KaldiNnet3, readKaldiNnet3 } from './kaldi-nnet3.js';
import { XVECTOR_FEATURE_DIM } from './kaldi-mfcc.js';

const require = createRequire(import.meta.url);

interface OrtTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}
interface OrtTensorConstructor {
  new (type: 'float32', data: Float32Array, dims: number[]): OrtTensor;
}
interface BindingSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
}
interface OrtBinding {
  binding: { InferenceSession: new () => BindingSession };
  initOrt(): void;
}

/** One frame-level TDNN layer: which input frames it splices, and its folded parameters. */
interface TdnnLayer {
  name: string;
  offsets: number[];
  linear: KaldiMatrix;
  bias: Float32Array;
  /** Batch norm in test mode: y = relu(x) * scale + shift. */
  scale: Float32Array;
  shift: Float32Array;
}

const VARIANCE_FLOOR = 1e-10;
const MIN_VOICED_OUTPUTS = 10;

/** Frames of context the frame-level layers need on each side of a frame. */
export interface XvectorContext {
  left: number;
  right: number;
}

function matrixOf(value: unknown, what: string): KaldiMatrix {
  if (!value || typeof value !== 'object' || !('rows' in value)) throw new KaldiFormatError(`${what}: no matrix`);
  return value as KaldiMatrix;
}

function vectorOf(value: unknown, what: string): Float32Array {
  if (!(value instanceof Float32Array)) throw new KaldiFormatError(`${what}: no vector`);
  return value;
}

/** The offsets spliced into `node`'s input, from its config line (`Append(Offset(x, -2), x, …)` or just `x`). */
function offsetsOf(nnet: KaldiNnet3, node: string): number[] {
  const line = nnet.config.find((l) => l.startsWith(`component-node name=${node} `));
  if (!line) throw new KaldiFormatError(`no node ${node}`);
  const input = /input=(.*)$/.exec(line)?.[1];
  if (!input) throw new KaldiFormatError(`no input for ${node}`);
  if (!input.startsWith('Append(')) return [0];
  return input
    .slice('Append('.length, -1)
    .split(/,\s*(?![^()]*\))/)
    .map((term) => {
      const offset = /^Offset\([^,]+,\s*(-?\d+)\)$/.exec(term.trim());
      return offset ? Number(offset[1]) : 0;
    });
}

function tdnnLayer(nnet: KaldiNnet3, name: string): TdnnLayer {
  const affine = nnet.components.get(`${name}.affine`);
  const norm = nnet.components.get(`${name}.batchnorm`);
  if (!affine || !norm || !nnet.components.has(`${name}.relu`)) throw new KaldiFormatError(`layer ${name} is not affine → ReLU → batch norm`);
  const linear = matrixOf(affine.fields.get('LinearParams'), name);
  const bias = vectorOf(affine.fields.get('BiasParams'), name);
  const mean = vectorOf(norm.fields.get('StatsMean'), name);
  const variance = vectorOf(norm.fields.get('StatsVar'), name);
  const epsilon = Number(norm.fields.get('Epsilon') ?? 0.001);
  const targetRms = Number(norm.fields.get('TargetRms') ?? 1);
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    scale[i] = targetRms / Math.sqrt(variance[i]! + epsilon);
    shift[i] = -mean[i]! * scale[i]!;
  }
  const offsets = offsetsOf(nnet, `${name}.affine`);
  return { name, offsets, linear, bias, scale, shift };
}

/** A Kaldi text-format vector (`mean.vec`): "[ 1.2 3.4 … ]". */
function readTextVector(path: string): Float32Array {
  const text = readFileSync(path, 'latin1');
  const body = /\[([^\]]*)\]/.exec(text);
  const values = body ? body[1]!.trim().split(/\s+/).map(Number) : [];
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new KaldiFormatError(`${path}: not a Kaldi vector`);
  return Float32Array.from(values);
}

/** A Kaldi binary matrix file (`transform.mat`). */
function readBinaryMatrix(path: string): KaldiMatrix {
  const buf = readFileSync(path);
  if (buf.length < 15 || buf.toString('latin1', 0, 5) !== '\0BFM ' || buf[5] !== 4 || buf[10] !== 4) throw new KaldiFormatError(`${path}: not a binary Kaldi matrix`);
  const rows = buf.readInt32LE(6);
  const cols = buf.readInt32LE(11);
  if (rows < 0 || cols < 0 || buf.length < 15 + 4 * rows * cols) throw new KaldiFormatError(`${path}: truncated`);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = buf.readFloatLE(15 + 4 * i);
  return { rows, cols, data };
}

/**
 * The ONNX graph of the frame-level layers: [1, 23, T] → [1, 1500, U]. The
 * layer `strideFrom` and those after it compute every `stride`-th frame
 * only: the layers after tdnn2 splice frames 3 apart, so with a stride of 3
 * from tdnn2 on they still see exactly the frames they were trained on, for
 * a third of the work. Pooling a window then averages a third of its frames,
 * which are neighbours with overlapping context, so little is lost.
 */
function frameGraph(layers: TdnnLayer[], stride: number, strideFrom: number): Buffer {
  const nodes: NodeSpec[] = [];
  const initializers: Tensor[] = [];
  let input = 'features';
  let inDim = XVECTOR_FEATURE_DIM;
  let spacing = 1;
  for (const [index, layer] of layers.entries()) {
    const kernel = layer.offsets.length;
    const step = kernel > 1 ? layer.offsets[1]! - layer.offsets[0]! : spacing;
    if (layer.offsets.some((o, i) => i > 0 && o - layer.offsets[i - 1]! !== step)) throw new KaldiFormatError(`${layer.name}: unevenly spaced splice`);
    if (step % spacing !== 0) throw new KaldiFormatError(`${layer.name}: frames ${step} apart cannot be taken every ${spacing}`);
    const dilation = step / spacing;
    const strides = index === strideFrom ? stride : 1;
    const out = layer.linear.rows;
    if (layer.linear.cols !== kernel * inDim) throw new KaldiFormatError(`${layer.name}: ${layer.linear.cols} inputs for ${kernel} × ${inDim}`);
    const n = layer.name;
    // Kaldi's columns are the spliced frames one after another, [out, kernel, in];
    // ONNX's weight is [out, in, kernel]: a Transpose that onnxruntime folds when it loads.
    initializers.push(
      { name: `${n}.kaldi`, type: FLOAT, dims: [out, kernel, inDim], values: layer.linear.data },
      { name: `${n}.b`, type: FLOAT, dims: [out], values: layer.bias },
      { name: `${n}.scale`, type: FLOAT, dims: [1, out, 1], values: layer.scale },
      { name: `${n}.shift`, type: FLOAT, dims: [1, out, 1], values: layer.shift },
    );
    nodes.push(
      { op: 'Transpose', inputs: [`${n}.kaldi`], outputs: [`${n}.w`], attributes: { perm: [0, 2, 1] } },
      { op: 'Conv', inputs: [input, `${n}.w`, `${n}.b`], outputs: [`${n}.conv`], attributes: { dilations: [dilation], kernel_shape: [kernel], strides: [strides] } },
      { op: 'Relu', inputs: [`${n}.conv`], outputs: [`${n}.relu`] },
      { op: 'Mul', inputs: [`${n}.relu`, `${n}.scale`], outputs: [`${n}.scaled`] },
      { op: 'Add', inputs: [`${n}.scaled`, `${n}.shift`], outputs: [`${n}.out`] },
    );
    input = `${n}.out`;
    inDim = out;
    spacing *= strides;
  }
  nodes[nodes.length - 1]!.outputs = ['frames'];
  return encodeOnnxModel({
    nodes,
    initializers,
    inputs: [{ name: 'features', type: FLOAT, shape: [1, XVECTOR_FEATURE_DIM, 'T'] }],
    outputs: [{ name: 'frames', type: FLOAT, shape: [1, inDim, 'U'] }],
    metadata: {},
  });
}

/** Frame-level outputs of one stretch: `count` rows of `dim`, row-major; row u is frame u × stride. */
export interface FrameOutputs {
  count: number;
  dim: number;
  stride: number;
  data: Float32Array;
}

/** Frames between two computed frame-level outputs (see {@link frameGraph}). */
export const XVECTOR_FRAME_STRIDE = 3;
/** Index of the layer from which only every {@link XVECTOR_FRAME_STRIDE}-th frame is computed (tdnn2). */
const STRIDE_FROM = 1;

export class XvectorNetwork {
  private static loaded = new Map<string, XvectorNetwork>();
  readonly context: XvectorContext;
  /** Size of an embedding. */
  readonly dim: number;
  private readonly session: BindingSession;
  private readonly Tensor: OrtTensorConstructor;
  private readonly segment: { linear: KaldiMatrix; bias: Float32Array };
  private readonly mean: Float32Array;
  private readonly transform: KaldiMatrix;
  private readonly frameDim: number;

  private constructor(dir: string) {
    const nnet = readKaldiNnet3(readFileSync(join(dir, 'final.ext.raw')));
    const layers = ['tdnn1', 'tdnn2', 'tdnn3', 'tdnn4', 'tdnn5'].map((name) => tdnnLayer(nnet, name));
    this.context = {
      left: layers.reduce((n, l) => n - l.offsets[0]!, 0),
      right: layers.reduce((n, l) => n + l.offsets[l.offsets.length - 1]!, 0),
    };
    this.frameDim = layers[layers.length - 1]!.linear.rows;
    const affine = nnet.components.get('tdnn6.affine');
    if (!affine) throw new KaldiFormatError('no tdnn6.affine: not an x-vector network');
    this.segment = { linear: matrixOf(affine.fields.get('LinearParams'), 'tdnn6'), bias: vectorOf(affine.fields.get('BiasParams'), 'tdnn6') };
    if (this.segment.linear.cols !== 2 * this.frameDim) throw new KaldiFormatError('tdnn6 does not take means and deviations');
    this.dim = this.segment.linear.rows;
    this.mean = readTextVector(join(dir, 'mean.vec'));
    this.transform = readBinaryMatrix(join(dir, 'transform.mat'));
    if (this.mean.length !== this.dim || this.transform.cols !== this.dim) throw new KaldiFormatError('mean.vec or transform.mat does not fit the network');

    const ort = require('onnxruntime-node') as { Tensor: OrtTensorConstructor };
    const native = require('onnxruntime-node/dist/binding.js') as OrtBinding;
    native.initOrt();
    this.Tensor = ort.Tensor;
    this.session = new native.binding.InferenceSession();
    const graph = frameGraph(layers, XVECTOR_FRAME_STRIDE, STRIDE_FROM);
    // One thread: diarization runs beside recognition, which owns the cores.
    this.session.loadModel(graph.buffer, graph.byteOffset, graph.byteLength, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  }

  /** The network in `dir` (final.ext.raw, mean.vec, transform.mat), loaded once per process. */
  static load(dir: string): XvectorNetwork {
    let network = XvectorNetwork.loaded.get(dir);
    if (!network) {
      network = new XvectorNetwork(dir);
      XvectorNetwork.loaded.set(dir, network);
    }
    return network;
  }

  /**
   * Frame-level outputs for `count` feature frames (row-major, 23 each):
   * one output every {@link XVECTOR_FRAME_STRIDE} input frames, the edges
   * padded by repeating the first and last frame (Kaldi pads chunks shorter
   * than the network's context the same way).
   */
  frames(features: Float32Array, count: number): FrameOutputs {
    if (count === 0) return { count: 0, dim: this.frameDim, stride: XVECTOR_FRAME_STRIDE, data: new Float32Array(0) };
    const { left, right } = this.context;
    const padded = count + left + right;
    // Channels first: [1, 23, T].
    const input = new Float32Array(XVECTOR_FEATURE_DIM * padded);
    for (let t = 0; t < padded; t++) {
      const source = Math.min(Math.max(t - left, 0), count - 1);
      for (let c = 0; c < XVECTOR_FEATURE_DIM; c++) input[c * padded + t] = features[source * XVECTOR_FEATURE_DIM + c]!;
    }
    const result = this.session.run({ features: new this.Tensor('float32', input, [1, XVECTOR_FEATURE_DIM, padded]) }, { frames: null }, {});
    const frames = result.frames!;
    const out = frames.data;
    const rows = frames.dims[2]!;
    const dim = this.frameDim;
    // Back to frames first, so a window is one contiguous run.
    const data = new Float32Array(rows * dim);
    for (let c = 0; c < dim; c++) {
      const row = c * rows;
      for (let t = 0; t < rows; t++) data[t * dim + c] = out[row + t]!;
    }
    return { count: rows, dim, stride: XVECTOR_FRAME_STRIDE, data };
  }

  /**
   * Embeddings of windows of `windowFrames` feature frames every `hop`
   * over all `count` frames of `outputs` (the last window ends at the last
   * frame; a stretch shorter than a window is one window), with each
   * window's middle in frames.
   */
  windows(outputs: FrameOutputs, count: number, windowFrames: number, hop: number, voiced?: Uint8Array): { middleFrame: number; embedding: Float32Array }[] {
    const out = [];
    const last = Math.max(0, count - windowFrames);
    for (let start = 0; ; start = Math.min(start + hop, last)) {
      const end = Math.min(count, start + windowFrames);
      out.push({ middleFrame: (start + end) / 2, embedding: this.embed(outputs, start, end, voiced) });
      if (start === last) return out;
    }
  }

  /** The whitened, unit-length embedding of feature frames `fromFrame` … `toFrame - 1` of `outputs`, pooling the `voiced` ones. */
  embed(outputs: FrameOutputs, fromFrame: number, toFrame: number, voiced?: Uint8Array): Float32Array {
    const { dim, data, stride } = outputs;
    const from = Math.min(outputs.count - 1, Math.ceil(fromFrame / stride));
    const to = Math.max(from + 1, Math.min(outputs.count, Math.ceil(toFrame / stride)));
    let n = 0;
    for (let t = from; t < to; t++) if (!voiced || voiced[t * stride]) n++;
    // A window of almost nothing but pauses is pooled whole rather than from a handful of frames.
    const all = n < MIN_VOICED_OUTPUTS;
    if (all) n = to - from;
    const stats = new Float64Array(2 * dim);
    for (let t = from; t < to; t++) {
      if (!all && voiced && !voiced[t * stride]) continue;
      const row = t * dim;
      for (let c = 0; c < dim; c++) {
        const v = data[row + c]!;
        stats[c]! += v;
        stats[dim + c]! += v * v;
      }
    }
    for (let c = 0; c < dim; c++) {
      const mean = stats[c]! / n;
      stats[c] = mean;
      stats[dim + c] = Math.sqrt(Math.max(stats[dim + c]! / n - mean * mean, VARIANCE_FLOOR));
    }
    const { linear, bias } = this.segment;
    const centred = new Float64Array(this.dim);
    for (let o = 0; o < this.dim; o++) {
      let acc = bias[o]!;
      const row = o * linear.cols;
      for (let c = 0; c < linear.cols; c++) acc += linear.data[row + c]! * stats[c]!;
      centred[o] = acc - this.mean[o]!;
    }
    const { transform } = this;
    const out = new Float32Array(transform.rows);
    let norm = 0;
    for (let o = 0; o < transform.rows; o++) {
      let acc = 0;
      for (let c = 0; c < this.dim; c++) acc += transform.data[o * transform.cols + c]! * centred[c]!;
      out[o] = acc;
      norm += acc * acc;
    }
    norm = Math.sqrt(norm) || 1;
    for (let o = 0; o < out.length; o++) out[o]! /= norm;
    return out;
  }
}
