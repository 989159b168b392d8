/**
 * Live decoding: a session's audio bytes, in chunks of any size, to 16 kHz
 * mono s16. Headerless formats and plain-PCM WAV are decoded in-process;
 * every other container goes through one ffmpeg process per stream.
 */
import { FfmpegStreamDecoder } from './ffmpeg-stream-decoder.js';
import { type RawFormat, parseRawFormat } from './raw-formats.js';
import { RawStreamDecoder } from './raw-stream-decoder.js';
import { type WavSniff, sniffWav } from './wav-header.js';

export interface StreamDecoderEvents {
  /** Decoded samples, in order. */
  pcm(samples: Int16Array): void;
  /** The stream cannot be decoded (AudioDecodeError) or the decoder broke; no more events follow. */
  error(err: Error): void;
  /** The decoder can take more bytes after `write` returned false. */
  drain(): void;
}

export interface StreamDecoder {
  /** Decodes more bytes. False asks the caller to wait for `drain` before writing again. */
  write(bytes: Uint8Array): boolean;
  /** Resolves once the bytes written so far have come out as samples, as far as can be told. */
  settle(): Promise<void>;
  /**
   * Ends the input; resolves after the last samples came out.
   * @throws {AudioDecodeError} the stream was not decodable or held no audio.
   */
  end(): Promise<void>;
  /** Stops decoding at once, without further events. */
  destroy(): void;
}

/** What an `audio_format` asks for: a container (demuxer name, null = detect) or raw samples. */
export type AudioFormat = { kind: 'container'; demuxer: string | null } | { kind: 'raw'; format: RawFormat };

/** The contract's container names (API.md §7.3) and ffmpeg's demuxer for each. */
const CONTAINERS: Readonly<Record<string, string | null>> = {
  auto: null,
  aac: 'aac',
  aiff: 'aiff',
  amr: 'amr',
  asf: 'asf',
  flac: 'flac',
  mp3: 'mp3',
  ogg: 'ogg',
  wav: 'wav',
  webm: 'matroska',
};

/**
 * @returns null for a name the contract does not list.
 * @example parseAudioFormat('webm') // { kind: 'container', demuxer: 'matroska' }
 * @example parseAudioFormat('s16le') // { kind: 'raw', format: { encoding: 'signed', bytesPerSample: 2, bigEndian: false } }
 */
export function parseAudioFormat(name: string): AudioFormat | null {
  if (Object.hasOwn(CONTAINERS, name)) return { kind: 'container', demuxer: CONTAINERS[name]! };
  const raw = parseRawFormat(name);
  return raw ? { kind: 'raw', format: raw } : null;
}

/** Raw samples need their rate and channel count; containers carry their own. */
export interface RawParameters {
  sampleRate: number;
  channels: number;
}

/**
 * Opens the decoder for a stream.
 *
 * @example
 * const decoder = openStreamDecoder(parseAudioFormat('auto')!, null, { pcm, error, drain });
 */
export function openStreamDecoder(format: AudioFormat, raw: RawParameters | null, events: StreamDecoderEvents): StreamDecoder {
  if (format.kind === 'raw') {
    if (!raw) throw new Error('raw audio needs a sample rate and a channel count');
    return new InProcessDecoder(new RawStreamDecoder(format.format, raw.sampleRate, raw.channels), events);
  }
  if (format.demuxer === null || format.demuxer === 'wav') return new WavSniffingDecoder(format.demuxer, events);
  return new FfmpegStreamDecoder(format.demuxer, events);
}

class InProcessDecoder implements StreamDecoder {
  private done = false;
  /**
   * @param remainingBytes audio bytes still expected; a WAV's data chunk may
   *   be followed by metadata chunks, which are not audio.
   */
  constructor(
    private readonly decoder: RawStreamDecoder,
    private readonly events: StreamDecoderEvents,
    private remainingBytes = Infinity,
  ) {}

  write(bytes: Uint8Array): boolean {
    if (this.done || this.remainingBytes <= 0) return true;
    const audio = bytes.length > this.remainingBytes ? bytes.subarray(0, this.remainingBytes) : bytes;
    this.remainingBytes -= audio.length;
    const pcm = this.decoder.decode(audio);
    if (pcm.length > 0) this.events.pcm(pcm);
    return true;
  }

  async settle(): Promise<void> {}

  async end(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const pcm = this.decoder.flush();
    if (pcm.length > 0) this.events.pcm(pcm);
  }

  destroy(): void {
    this.done = true;
  }
}

/**
 * Holds the first bytes until it is clear whether they are a plain-PCM WAV
 * (decoded in-process, see wav-header.ts) or anything else (ffmpeg).
 */
class WavSniffingDecoder implements StreamDecoder {
  private prefix: Uint8Array = new Uint8Array(0);
  private inner: StreamDecoder | null = null;
  private destroyed = false;

  constructor(
    private readonly demuxer: string | null,
    private readonly events: StreamDecoderEvents,
  ) {}

  write(bytes: Uint8Array): boolean {
    if (this.destroyed) return true;
    if (this.inner) return this.inner.write(bytes);
    const joined = new Uint8Array(this.prefix.length + bytes.length);
    joined.set(this.prefix);
    joined.set(bytes, this.prefix.length);
    this.prefix = joined;
    const sniff = sniffWav(joined);
    if (sniff.kind === 'need-more') return true;
    return this.choose(sniff.kind === 'pcm' ? sniff : null);
  }

  async settle(): Promise<void> {
    await this.inner?.settle();
  }

  async end(): Promise<void> {
    if (this.destroyed) return;
    // A stream shorter than a WAV header is for ffmpeg to judge.
    if (!this.inner) {
      const sniff = sniffWav(this.prefix);
      this.choose(sniff.kind === 'pcm' ? sniff : null);
    }
    await this.inner!.end();
  }

  destroy(): void {
    this.destroyed = true;
    this.inner?.destroy();
  }

  private choose(wav: Extract<WavSniff, { kind: 'pcm' }> | null): boolean {
    const prefix = this.prefix;
    this.prefix = new Uint8Array(0);
    if (wav) {
      const decoder = new RawStreamDecoder(wav.format, wav.sampleRate, wav.channels);
      this.inner = new InProcessDecoder(decoder, this.events, wav.dataBytes);
      return this.inner.write(prefix.subarray(wav.dataOffset));
    }
    this.inner = new FfmpegStreamDecoder(this.demuxer, this.events);
    return this.inner.write(prefix);
  }
}
