/**
 * Headerless audio formats (API.md §7.3): their names, and how their bytes
 * become float samples. Pure functions, no I/O.
 */

export type SampleEncoding = 'signed' | 'unsigned' | 'float' | 'mulaw' | 'alaw';

export interface RawFormat {
  encoding: SampleEncoding;
  bytesPerSample: 1 | 2 | 3 | 4 | 8;
  bigEndian: boolean;
}

const INTEGER_FORMAT = /^(?:pcm_)?([su])(8|16|24|32)(le|be)?$/;
const FLOAT_FORMAT = /^(?:pcm_)?f(32|64)(le|be)$/;

/**
 * The raw format a Soniox `audio_format` names, or null for anything else
 * (containers, `auto`, unknown names). Accepts the documented `pcm_` names
 * and the same names without the prefix (`s16le`, `f32le`); only 8-bit
 * formats may omit the byte order.
 *
 * @example parseRawFormat('pcm_s16le') // { encoding: 'signed', bytesPerSample: 2, bigEndian: false }
 * @example parseRawFormat('mulaw') // { encoding: 'mulaw', bytesPerSample: 1, bigEndian: false }
 * @example parseRawFormat('wav') // null
 */
export function parseRawFormat(name: string): RawFormat | null {
  if (name === 'mulaw' || name === 'alaw') return { encoding: name, bytesPerSample: 1, bigEndian: false };
  const integer = INTEGER_FORMAT.exec(name);
  if (integer) {
    const bits = Number(integer[2]);
    if (bits > 8 && integer[3] === undefined) return null;
    return {
      encoding: integer[1] === 's' ? 'signed' : 'unsigned',
      bytesPerSample: (bits / 8) as RawFormat['bytesPerSample'],
      bigEndian: integer[3] === 'be',
    };
  }
  const float = FLOAT_FORMAT.exec(name);
  if (float) return { encoding: 'float', bytesPerSample: float[1] === '32' ? 4 : 8, bigEndian: float[2] === 'be' };
  return null;
}

/** ITU-T G.711 µ-law byte to a 16-bit linear sample (as ffmpeg's pcm_mulaw decodes it). */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** ITU-T G.711 A-law byte to a 16-bit linear sample (as ffmpeg's pcm_alaw decodes it). */
export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  let t = a & 0x0f;
  const segment = (a & 0x70) >> 4;
  if (segment) t = (t + t + 1 + 32) << (segment + 2);
  else t = (t + t + 1) << 3;
  return a & 0x80 ? t : -t;
}

// Lookup tables: a companded byte is decoded once per table entry, not per sample.
const MULAW = Float32Array.from({ length: 256 }, (_, b) => mulawToLinear(b) / 32768);
const ALAW = Float32Array.from({ length: 256 }, (_, b) => alawToLinear(b) / 32768);

/** One sample at `offset` of `view`, scaled to [-1, 1). */
function readSample(view: DataView, offset: number, format: RawFormat): number {
  const { encoding, bytesPerSample: size, bigEndian } = format;
  const le = !bigEndian;
  switch (encoding) {
    case 'mulaw':
      return MULAW[view.getUint8(offset)]!;
    case 'alaw':
      return ALAW[view.getUint8(offset)]!;
    case 'float': {
      const v = size === 4 ? view.getFloat32(offset, le) : view.getFloat64(offset, le);
      // NaN and infinities are not audio; clip like any other overflow.
      return Number.isNaN(v) ? 0 : Math.max(-1, Math.min(1, v));
    }
    case 'signed':
    case 'unsigned': {
      let v: number;
      if (size === 1) v = view.getUint8(offset);
      else if (size === 2) v = view.getUint16(offset, le);
      else if (size === 4) v = view.getUint32(offset, le);
      else {
        const [b0, b1, b2] = [view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2)];
        v = le ? b0 | (b1 << 8) | (b2 << 16) : (b0 << 16) | (b1 << 8) | b2;
      }
      const half = 2 ** (size * 8 - 1);
      // Unsigned samples are offset by half the range; signed ones wrap at it.
      if (encoding === 'unsigned') return (v - half) / half;
      return (v >= half ? v - 2 * half : v) / half;
    }
  }
}

/**
 * Decodes whole interleaved frames and mixes their channels to mono (the
 * mean, as ffmpeg's `-ac 1` does). `bytes.length` must be a multiple of
 * `bytesPerSample * channels`.
 *
 * @example decodeFrames(Uint8Array.of(0x00, 0x40), { encoding: 'signed', bytesPerSample: 2, bigEndian: false }, 1)
 * // Float32Array [0.5]
 */
export function decodeFrames(bytes: Uint8Array, format: RawFormat, channels: number): Float32Array {
  const frameBytes = format.bytesPerSample * channels;
  if (bytes.length % frameBytes !== 0) throw new RangeError('decodeFrames needs whole frames');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / frameBytes);
  for (let frame = 0, offset = 0; frame < out.length; frame++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, offset += format.bytesPerSample) sum += readSample(view, offset, format);
    out[frame] = sum / channels;
  }
  return out;
}

/**
 * Float samples to 16-bit PCM, rounded and clipped.
 *
 * @example toInt16(Float32Array.of(0.5, -1, 2)) // Int16Array [16384, -32768, 32767]
 */
export function toInt16(samples: ArrayLike<number>): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    out[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768)));
  }
  return out;
}
