/**
 * Live decoding: a session's audio bytes, in chunks of any size, to 16 kHz
 * mono s16. Headerless formats and plain-PCM WAV are decoded in-process;
 * every other container goes through one ffmpeg process per stream.
 */
import { AudioDecodeError } from './errors.js';
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
  /**
   * Decodes more bytes. False asks the caller to wait for `drain` before
   * writing again. The decoder may hold on to `bytes` until they are decoded,
   * so the caller must not reuse the buffer.
   */
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

/**
 * Runs a {@link RawStreamDecoder} on the event loop in slices of bounded
 * work (`sliceBytes`), one per turn of the loop: a 32 MB frame, or audio at
 * 8 kHz that becomes twice as many samples, never holds the loop for more
 * than one slice. An ordinary frame fits in one slice and is decoded at once.
 */
class InProcessDecoder implements StreamDecoder {
  private done = false;
  /** Bytes written and not decoded yet, oldest first (after the start-up work, see `prepare`). */
  private readonly pending: Uint8Array[] = [];
  private next: NodeJS.Immediate | null = null;
  /** `write` returned false; `drain` is owed once `pending` empties. */
  private blocked = false;
  private readonly settled: (() => void)[] = [];

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
    if (audio.length > 0) this.pending.push(audio);
    if (this.next === null) this.decodeSlice();
    if (this.pending.length === 0) return true;
    this.blocked = true;
    return false;
  }

  settle(): Promise<void> {
    if (this.done || this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.settled.push(resolve));
  }

  async end(): Promise<void> {
    await this.settle();
    if (this.done) return;
    this.done = true;
    const pcm = this.decoder.flush();
    if (pcm.length > 0) this.events.pcm(pcm);
  }

  destroy(): void {
    this.done = true;
    if (this.next !== null) clearImmediate(this.next);
    this.next = null;
    this.pending.length = 0;
    this.resolveSettled();
  }

  /** Decodes up to one slice of the pending bytes, and schedules the next slice if any are left. */
  private decodeSlice(): void {
    this.next = null;
    let budget = this.decoder.sliceBytes;
    try {
      if (!this.decoder.prepare()) budget = 0;
      while (budget > 0 && this.pending.length > 0 && !this.done) {
        const head = this.pending[0]!;
        const piece = head.length <= budget ? head : head.subarray(0, budget);
        if (piece === head) this.pending.shift();
        else this.pending[0] = head.subarray(budget);
        budget -= piece.length;
        const pcm = this.decoder.decode(piece);
        if (pcm.length > 0) this.events.pcm(pcm);
      }
    } catch (err) {
      // Later slices run from the event loop, where a throw would end the process.
      this.destroy();
      this.events.error(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (this.done) return;
    if (this.pending.length > 0) {
      this.next = setImmediate(() => this.decodeSlice());
      return;
    }
    this.resolveSettled();
    if (this.blocked) {
      this.blocked = false;
      this.events.drain();
    }
  }

  private resolveSettled(): void {
    for (const resolve of this.settled.splice(0)) resolve();
  }
}

/**
 * Holds the first bytes until it is clear whether they are a plain-PCM WAV
 * (decoded in-process, see wav-header.ts) or anything else (ffmpeg).
 */
class WavSniffingDecoder implements StreamDecoder {
  /** The bytes held so far, in the chunks they came in. */
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  /** How many bytes the last look at the header saw. */
  private sniffedBytes = 0;
  private inner: StreamDecoder | null = null;
  private destroyed = false;

  constructor(
    private readonly demuxer: string | null,
    private readonly events: StreamDecoderEvents,
  ) {}

  write(bytes: Uint8Array): boolean {
    if (this.destroyed) return true;
    if (this.inner) return this.inner.write(bytes);
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    // Looking joins every byte held; doing it only once they have doubled
    // keeps a long header sent a byte per frame linear in work, not quadratic.
    if (this.heldBytes < 2 * this.sniffedBytes) return true;
    this.sniffedBytes = this.heldBytes;
    const sniff = sniffWav(this.prefix());
    if (sniff.kind === 'need-more') return true;
    if (sniff.kind === 'out-of-bounds') {
      this.refuse(sniff.reason);
      return true;
    }
    return this.choose(sniff.kind === 'pcm' ? sniff : null);
  }

  async settle(): Promise<void> {
    await this.inner?.settle();
  }

  async end(): Promise<void> {
    if (this.destroyed) return;
    // A stream shorter than a WAV header is for ffmpeg to judge.
    if (!this.inner) {
      const sniff = sniffWav(this.prefix());
      if (sniff.kind === 'out-of-bounds') throw new AudioDecodeError(sniff.reason);
      this.choose(sniff.kind === 'pcm' ? sniff : null);
    }
    await this.inner!.end();
  }

  destroy(): void {
    this.destroyed = true;
    this.held = [];
    this.inner?.destroy();
  }

  /** The bytes held so far, joined (and kept joined). */
  private prefix(): Uint8Array {
    if (this.held.length !== 1) {
      const joined = new Uint8Array(this.heldBytes);
      let at = 0;
      for (const chunk of this.held) {
        joined.set(chunk, at);
        at += chunk.length;
      }
      this.held = [joined];
    }
    return this.held[0] ?? new Uint8Array(0);
  }

  private refuse(reason: string): void {
    this.destroy();
    this.events.error(new AudioDecodeError(reason));
  }

  private choose(wav: Extract<WavSniff, { kind: 'pcm' }> | null): boolean {
    const prefix = this.prefix();
    this.held = [];
    if (wav) {
      const decoder = new RawStreamDecoder(wav.format, wav.sampleRate, wav.channels);
      this.inner = new InProcessDecoder(decoder, this.events, wav.dataBytes);
      return this.inner.write(prefix.subarray(wav.dataOffset));
    }
    this.inner = new FfmpegStreamDecoder(this.demuxer, this.events);
    return this.inner.write(prefix);
  }
}
