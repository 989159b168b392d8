/**
 * In-process decoding of a headerless audio stream (PCM, float, G.711) to
 * the engine's 16 kHz mono s16. Chunks may end anywhere, even inside a
 * sample: the incomplete frame waits for the next chunk.
 */
import { ENGINE_SAMPLE_RATE } from '../engines/speech-engine.js';
import { type RawFormat, decodeFrames, toInt16 } from './raw-formats.js';
import { Resampler } from './resampler.js';

/**
 * Sources of at most 16 bits are mixed and resampled in 16-bit fixed point,
 * wider ones in floating point: the choice libswresample makes, whose
 * output the async path gets (see resampler.ts).
 */
function sixteenBitsOrLess(format: RawFormat): boolean {
  return format.bytesPerSample <= 2;
}

/**
 * Work of one slice, in multiply-adds (resampler.ts): about 1 ms of CPU on a
 * loaded 2-core server, under 4 ms at p99 (docs/security/audio.md), so
 * a machine ten times slower still stays below the 50 ms a task may hold the
 * event loop.
 */
const SLICE_WORK = 750_000;
/** Reading and mixing one sample of one channel, in the same unit. */
const SAMPLE_DECODE_WORK = 16;
/** Output per slice, so the session's per-sample work downstream stays bounded too (1 s). */
const SLICE_OUTPUT_SAMPLES = ENGINE_SAMPLE_RATE;

/**
 * @example
 * const decoder = new RawStreamDecoder(parseRawFormat('mulaw')!, 8000, 1);
 * const pcm = decoder.decode(bytes); // 16 kHz mono Int16Array
 * const tail = decoder.flush();
 */
export class RawStreamDecoder {
  private readonly frameBytes: number;
  /**
   * The most bytes one `decode` call should be given: callers cut larger
   * input into slices of this size and yield to the event loop between them.
   * Sized by the work the bytes cause, so a slow rate gets small slices.
   */
  readonly sliceBytes: number;
  private readonly resampler: Resampler;
  private readonly fixedPoint: boolean;
  /** The start of a frame whose remaining bytes have not arrived yet. */
  private carry = new Uint8Array(0);
  /** 16-bit little-endian mono at the engine's rate needs no conversion at all. */
  private readonly passthrough: boolean;

  constructor(
    private readonly format: RawFormat,
    sampleRate: number,
    private readonly channels: number,
  ) {
    this.frameBytes = format.bytesPerSample * channels;
    this.fixedPoint = sixteenBitsOrLess(format);
    this.resampler = new Resampler(sampleRate, ENGINE_SAMPLE_RATE, this.fixedPoint ? 'int16' : 'float');
    this.passthrough =
      format.encoding === 'signed' &&
      format.bytesPerSample === 2 &&
      !format.bigEndian &&
      channels === 1 &&
      sampleRate === ENGINE_SAMPLE_RATE;
    const workPerFrame = channels * SAMPLE_DECODE_WORK + this.resampler.workPerInputSample;
    const outputPerFrame = ENGINE_SAMPLE_RATE / sampleRate;
    const frames = Math.min(SLICE_WORK / workPerFrame, SLICE_OUTPUT_SAMPLES / outputPerFrame);
    this.sliceBytes = Math.max(1, Math.floor(frames)) * this.frameBytes;
  }

  /**
   * Does one slice's worth of the start-up work (the resampler's filter
   * table); call until it returns true before the first `decode`, one call
   * per turn of the event loop. Skipping it is correct, only slower to start.
   */
  prepare(): boolean {
    return this.resampler.prepare(SLICE_WORK);
  }

  /** The samples of every frame completed by `bytes`. */
  decode(bytes: Uint8Array): Int16Array {
    let input = bytes;
    if (this.carry.length > 0) {
      input = new Uint8Array(this.carry.length + bytes.length);
      input.set(this.carry);
      input.set(bytes, this.carry.length);
    }
    const whole = input.length - (input.length % this.frameBytes);
    // Copy the remainder: the caller may reuse the buffer it passed in.
    this.carry = input.slice(whole);
    const frames = input.subarray(0, whole);
    if (this.passthrough) {
      const pcm = new Int16Array(whole / 2);
      new Uint8Array(pcm.buffer).set(frames);
      return pcm;
    }
    const mono = decodeFrames(frames, this.format, this.channels);
    if (!this.fixedPoint) return toInt16(this.resampler.process(mono));
    // 16-bit mixing rounds halves up, as libswresample's fixed-point matrix does.
    return Int16Array.from(this.resampler.process(toInt16(mono)));
  }

  /** Ends the stream: the resampler's last samples. An incomplete last frame is dropped. */
  flush(): Int16Array {
    this.carry = new Uint8Array(0);
    const tail = this.resampler.flush();
    return this.fixedPoint ? Int16Array.from(tail) : toInt16(tail);
  }
}
