/**
 * Recognises a WAV stream holding plain PCM from its first bytes, so that
 * the common case is decoded in-process. ffmpeg's wav demuxer reads 64 KiB
 * ahead before its first output when its input cannot seek (2 s of 16 kHz
 * s16 audio), which a live stream would feel as latency.
 */
import { audioBoundsProblem } from './audio-bounds.js';
import type { RawFormat } from './raw-formats.js';

export type WavSniff =
  /** Not enough bytes yet to decide. */
  | { kind: 'need-more' }
  /** Not a little-endian RIFF/WAVE stream (or a WAV whose codec only ffmpeg decodes). */
  | { kind: 'other' }
  /** A WAV, of any codec, declaring a rate or channel count outside the bounds (audio-bounds.ts). */
  | { kind: 'out-of-bounds'; reason: string }
  | { kind: 'pcm'; format: RawFormat; sampleRate: number; channels: number; dataOffset: number; dataBytes: number };

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** A header longer than this (huge metadata chunks) is left to ffmpeg. */
const MAX_HEADER_BYTES = 1 << 20;

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

function rawFormat(tag: number, bits: number): RawFormat | null {
  if (tag === WAVE_FORMAT_PCM) {
    if (bits === 8) return { encoding: 'unsigned', bytesPerSample: 1, bigEndian: false };
    if (bits === 16 || bits === 24 || bits === 32) return { encoding: 'signed', bytesPerSample: (bits / 8) as 2 | 3 | 4, bigEndian: false };
  }
  if (tag === WAVE_FORMAT_IEEE_FLOAT && (bits === 32 || bits === 64)) {
    return { encoding: 'float', bytesPerSample: bits === 32 ? 4 : 8, bigEndian: false };
  }
  if (tag === WAVE_FORMAT_ALAW && bits === 8) return { encoding: 'alaw', bytesPerSample: 1, bigEndian: false };
  if (tag === WAVE_FORMAT_MULAW && bits === 8) return { encoding: 'mulaw', bytesPerSample: 1, bigEndian: false };
  return null;
}

/**
 * Looks at the first bytes of a stream.
 *
 * @example sniffWav(first44BytesOfA16kMonoWav)
 * // { kind: 'pcm', format: { encoding: 'signed', bytesPerSample: 2, bigEndian: false },
 * //   sampleRate: 16000, channels: 1, dataOffset: 44, dataBytes: 95680 }
 */
export function sniffWav(prefix: Uint8Array): WavSniff {
  if (prefix.length < 12) {
    return 'RIFF'.startsWith(ascii(prefix, 0).slice(0, Math.min(4, prefix.length))) ? { kind: 'need-more' } : { kind: 'other' };
  }
  if (ascii(prefix, 0) !== 'RIFF' || ascii(prefix, 8) !== 'WAVE') return { kind: 'other' };
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  let format: { format: RawFormat; sampleRate: number; channels: number } | null = null;
  let at = 12;
  while (at + 8 <= prefix.length) {
    const id = ascii(prefix, at);
    const size = view.getUint32(at + 4, true);
    if (id === 'data') {
      // Writers that stream a WAV before knowing its length put 0 or 0xFFFFFFFF here.
      const dataBytes = size === 0 || size === 0xffffffff ? Infinity : size;
      return format ? { kind: 'pcm', ...format, dataOffset: at + 8, dataBytes } : { kind: 'other' };
    }
    if (id === 'fmt ') {
      if (at + 8 + 16 > prefix.length) break;
      let tag = view.getUint16(at + 8, true);
      const channels = view.getUint16(at + 10, true);
      const sampleRate = view.getUint32(at + 12, true);
      const blockAlign = view.getUint16(at + 20, true);
      const bits = view.getUint16(at + 22, true);
      // Checked for every codec: ffmpeg would resample a 1 Hz ADPCM stream just as eagerly.
      const problem = audioBoundsProblem(sampleRate, channels);
      if (problem !== null) return { kind: 'out-of-bounds', reason: problem };
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        // The real format tag opens the sub-format GUID, 24 bytes into the chunk body.
        if (size < 40) return { kind: 'other' };
        if (at + 8 + 26 > prefix.length) break;
        tag = view.getUint16(at + 8 + 24, true);
      }
      const raw = rawFormat(tag, bits);
      if (!raw || blockAlign !== channels * raw.bytesPerSample) return { kind: 'other' };
      format = { format: raw, sampleRate, channels };
    }
    // Chunks are padded to an even length.
    at += 8 + size + (size % 2);
  }
  return prefix.length > MAX_HEADER_BYTES ? { kind: 'other' } : { kind: 'need-more' };
}
