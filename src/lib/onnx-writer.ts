/**
 * Writes ONNX model files (protobuf) without an ONNX toolchain: just the
 * messages and fields a small inference graph needs (onnx/onnx.proto:
 * ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto). The
 * speaker embedding network is converted to one at load time
 * (pipeline/diarization/xvector-network.ts); the tests build their
 * constructed recognition models with it.
 */

type Field = [number, number, Buffer];

function varint(value: bigint): Buffer {
  // Negative int64s are ten bytes of two's complement, as protobuf encodes them.
  let v = value < 0n ? value + (1n << 64n) : value;
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

// One copy per level of nesting: a model's weights are megabytes.
function message(fields: Field[]): Buffer {
  return Buffer.concat(fields.flatMap(([field, wire, payload]) => [varint(BigInt((field << 3) | wire)), ...(wire === 2 ? [varint(BigInt(payload.length))] : []), payload]));
}

const int = (field: number, value: number | bigint): Field => [field, 0, varint(BigInt(value))];
const bytes = (field: number, value: Buffer): Field => [field, 2, value];
const text = (field: number, value: string): Field => bytes(field, Buffer.from(value, 'utf8'));

export const FLOAT = 1;
/** Graph inputs and outputs only (initializers are FLOAT or INT64). */
export const INT32 = 6;
export const INT64 = 7;

export interface Tensor {
  name: string;
  type: typeof FLOAT | typeof INT64;
  dims: number[];
  values: readonly number[] | readonly bigint[] | Float32Array;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integers (axis and the like), or lists of integers (a convolution's dilations). */
  attributes?: Record<string, number | readonly number[]>;
}

/** A graph input or output: a dimension is a size, or a name for a size known only at run time. */
export interface ValueSpec {
  name: string;
  type: typeof FLOAT | typeof INT32 | typeof INT64;
  shape: (number | string)[];
}

export interface ModelSpec {
  nodes: NodeSpec[];
  initializers: Tensor[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  metadata: Record<string, string>;
}

function tensor(t: Tensor): Buffer {
  let raw: Buffer;
  if (t.values instanceof Float32Array) raw = Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength);
  else {
    const values = t.values;
    raw = Buffer.alloc(values.length * (t.type === FLOAT ? 4 : 8));
    values.forEach((v, i) => (t.type === FLOAT ? raw.writeFloatLE(Number(v), i * 4) : raw.writeBigInt64LE(BigInt(v), i * 8)));
  }
  return message([...t.dims.map((d) => int(1, d)), int(2, t.type), text(8, t.name), bytes(9, raw)]);
}

function valueInfo(v: ValueSpec): Buffer {
  const dims = v.shape.map((d) => bytes(1, message([typeof d === 'number' ? int(1, d) : text(2, d)])));
  const tensorType = message([int(1, v.type), bytes(2, message(dims))]);
  return message([text(1, v.name), bytes(2, message([bytes(1, tensorType)]))]);
}

function node(n: NodeSpec, index: number): Buffer {
  // AttributeProto: type INT (2) in field 3, type INTS (7) in field 8.
  const attributes = Object.entries(n.attributes ?? {}).map(([name, value]) =>
    bytes(5, message(typeof value === 'number' ? [text(1, name), int(3, value), int(20, 2)] : [text(1, name), ...value.map((v) => int(8, v)), int(20, 7)])),
  );
  return message([...n.inputs.map((i) => text(1, i)), ...n.outputs.map((o) => text(2, o)), text(3, `${n.op}_${index}`), text(4, n.op), ...attributes]);
}

/** The bytes of an ONNX model (IR version 8, default opset 17). */
export function encodeOnnxModel(spec: ModelSpec): Buffer {
  const graph = message([
    ...spec.nodes.map((n, i) => bytes(1, node(n, i))),
    text(2, 'hark-test'),
    ...spec.initializers.map((t) => bytes(5, tensor(t))),
    ...spec.inputs.map((v) => bytes(11, valueInfo(v))),
    ...spec.outputs.map((v) => bytes(12, valueInfo(v))),
  ]);
  return message([
    int(1, 8),
    text(2, 'hark-tests'),
    bytes(7, graph),
    bytes(8, message([text(1, ''), int(2, 17)])),
    ...Object.entries(spec.metadata).map(([key, value]) => bytes(14, message([text(1, key), text(2, value)]))),
  ]);
}
