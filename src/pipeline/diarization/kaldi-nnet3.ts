/**
 * Reads a Kaldi nnet3 network in Kaldi's binary format (`final.raw`,
 * `final.ext.raw`): its config lines and, per component, the fields it
 * wrote. Kaldi's readers are written per component type; this one reads any
 * component, because every value's encoding announces its kind (a matrix
 * "FM ", a vector "FV ", a bool 'T'/'F', a number its byte size), all but
 * int and float, which share size 4 and are told apart by tag name.
 */

export interface KaldiMatrix {
  rows: number;
  cols: number;
  /** Row-major. */
  data: Float32Array;
}

export type KaldiValue = number | boolean | Float32Array | KaldiMatrix | undefined;

export interface KaldiComponent {
  /** The component's class without brackets, e.g. "NaturalGradientAffineComponent". */
  type: string;
  /** Tag (without brackets) → value, in the order written. */
  fields: Map<string, KaldiValue>;
}

export interface KaldiNnet3 {
  /** The `component-node` / `input-node` / `output-node` lines. */
  config: string[];
  components: Map<string, KaldiComponent>;
}

export class KaldiFormatError extends Error {
  override name = 'KaldiFormatError';
}

/** Tags whose 4-byte values are integers; every other 4-byte value is a float. */
const INT_TAGS = new Set([
  'NumComponents',
  'Dim',
  'BlockDim',
  'InputDim',
  'OutputDim',
  'RankIn',
  'RankOut',
  'UpdatePeriod',
  'InputPeriod',
  'OutputPeriod',
  'LeftContext',
  'RightContext',
  'NumLogCountFeatures',
  'NumDimsSelfRepaired',
  'NumDimsProcessed',
]);

const SPACE = 0x20;

class Reader {
  constructor(
    private readonly buf: Buffer,
    public at: number,
  ) {}

  token(): string {
    const end = this.buf.indexOf(SPACE, this.at);
    if (end < 0) throw new KaldiFormatError(`unterminated token at byte ${this.at}`);
    const token = this.buf.toString('latin1', this.at, end);
    this.at = end + 1;
    return token;
  }

  expect(token: string): void {
    const got = this.token();
    if (got !== token) throw new KaldiFormatError(`expected ${token} at byte ${this.at}, found ${got}`);
  }

  int(): number {
    this.need(5);
    if (this.buf[this.at] !== 4) throw new KaldiFormatError(`expected an int32 at byte ${this.at}`);
    const value = this.buf.readInt32LE(this.at + 1);
    this.at += 5;
    return value;
  }

  number(tag: string): number {
    this.need(1);
    const size = this.buf[this.at];
    this.need(1 + size!);
    let value: number;
    if (size === 4) value = INT_TAGS.has(tag) ? this.buf.readInt32LE(this.at + 1) : this.buf.readFloatLE(this.at + 1);
    else if (size === 8) value = this.buf.readDoubleLE(this.at + 1);
    else throw new KaldiFormatError(`unknown value of ${tag} at byte ${this.at}`);
    this.at += 1 + size;
    return value;
  }

  floats(count: number, double: boolean): Float32Array {
    const size = double ? 8 : 4;
    this.need(count * size);
    const start = this.buf.byteOffset + this.at;
    this.at += count * size;
    // A copy, so that the array is aligned whatever the value's offset in the file (Kaldi writes little-endian, as x86 and ARM read).
    if (!double) return new Float32Array(this.buf.buffer.slice(start, start + count * 4));
    return Float32Array.from(new Float64Array(this.buf.buffer.slice(start, start + count * 8)));
  }

  /** The value after `tag`, by the kind its first bytes announce; undefined for a tag that is only a marker. */
  value(tag: string): KaldiValue {
    this.need(1);
    const b = this.buf;
    const c = b[this.at];
    if (c === 0x3c /* < */) return undefined;
    const kind = b[this.at + 1];
    if ((c === 0x46 /* F */ || c === 0x44) /* D */ && (kind === 0x56 /* V */ || kind === 0x4d) /* M */ && b[this.at + 2] === SPACE) {
      this.at += 3;
      const double = c === 0x44;
      if (kind === 0x56) return this.floats(this.int(), double);
      const rows = this.int();
      const cols = this.int();
      if (rows < 0 || cols < 0) throw new KaldiFormatError(`bad matrix size ${rows} × ${cols}`);
      return { rows, cols, data: this.floats(rows * cols, double) };
    }
    if (c === 0x54 /* T */ || c === 0x46) {
      this.at += 1;
      return c === 0x54;
    }
    return this.number(tag);
  }

  private need(bytes: number): void {
    if (bytes < 0 || this.at + bytes > this.buf.length) throw new KaldiFormatError('the network file ends early');
  }
}

/** Parses a binary nnet3 file; throws {@link KaldiFormatError} on anything else. */
export function readKaldiNnet3(buf: Buffer): KaldiNnet3 {
  if (buf.toString('latin1', 0, 10) !== '\0B<Nnet3> ') throw new KaldiFormatError('not a binary Kaldi nnet3 file');
  const start = buf.indexOf('<NumComponents> ', 10, 'latin1');
  if (start < 0) throw new KaldiFormatError('no components in the network file');
  const config = buf
    .toString('latin1', 10, start)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const reader = new Reader(buf, start);
  reader.expect('<NumComponents>');
  const count = reader.int();
  const components = new Map<string, KaldiComponent>();
  for (let i = 0; i < count; i++) {
    reader.expect('<ComponentName>');
    const name = reader.token();
    const opening = reader.token();
    if (!opening.startsWith('<') || !opening.endsWith('>')) throw new KaldiFormatError(`bad component type ${opening}`);
    const type = opening.slice(1, -1);
    const fields = new Map<string, KaldiValue>();
    for (;;) {
      const tag = reader.token();
      if (tag === `</${type}>`) break;
      if (!tag.startsWith('<')) throw new KaldiFormatError(`bad tag ${tag} in ${name}`);
      const key = tag.slice(1, -1);
      fields.set(key, reader.value(key));
    }
    components.set(name, { type, fields });
  }
  reader.expect('</Nnet3>');
  return { config, components };
}
