/**
 * Decodes a container stream (mp3, ogg, webm, …) as its bytes arrive, with
 * one long-lived ffmpeg process fed through stdin; 16 kHz mono s16 comes out
 * of stdout. The same output options as the file decoder (decode-audio.ts),
 * so a stream and an uploaded file decode to the same samples.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { ENGINE_SAMPLE_RATE } from '../engines/speech-engine.js';
import { audioBoundsProblem } from './audio-bounds.js';
import { AudioDecodeError } from './errors.js';
import type { StreamDecoder, StreamDecoderEvents } from './stream-decoder.js';

/** The demuxers of the contract's containers; nothing that opens other files or URLs. */
const SUPPORTED_DEMUXERS = 'aac,aiff,amr,asf,flac,mp3,ogg,wav,matroska,mov';
const STDERR_KEEP_CHARS = 4096;
// settle(): output counts as complete once ffmpeg has been quiet this long,
// and is not waited for longer than the cap.
const SETTLE_QUIET_MS = 40;
const SETTLE_MAX_MS = 500;
/**
 * At `-v info` ffmpeg describes each input stream once it has probed it and
 * before it decodes anything, e.g. `  Stream #0:0: Audio: flac, 8000 Hz,
 * stereo, s16`. The description ends where the output's begins.
 */
const INPUT_AUDIO_STREAM = /^\s*Stream #0:\d+[^:\n]*: Audio: [^,\n]+, (\d+) Hz, ([^,\n]+)/gm;
const END_OF_INPUT_INFO = /^(?:Stream mapping:|Output #0)/m;
/** Format metadata is printed before the streams; past this much, the check gives up (the duration cap still holds). */
const MAX_INPUT_INFO_CHARS = 256 * 1024;

/**
 * Input options. Probing is cut to the minimum: by default ffmpeg reads up to
 * 5 MB or 5 s of a stream before its first output, which live audio would
 * wait for. (`-fflags nobuffer` is not used: it drops the probed packets.)
 */
function ffmpegArgs(demuxer: string | null): string[] {
  return [
    // `info` for the input's stream descriptions (see INPUT_AUDIO_STREAM); no banner, no progress lines.
    '-nostdin', '-hide_banner', '-nostats', '-v', 'info',
    '-protocol_whitelist', 'pipe', '-format_whitelist', SUPPORTED_DEMUXERS,
    '-probesize', '32', '-analyzeduration', '0',
    ...(demuxer ? ['-f', demuxer] : []),
    '-i', 'pipe:0',
    // The first audio stream, the one whose rate is checked (as decode-audio.ts does for files).
    '-map', '0:a:0', '-f', 's16le', '-ac', '1', '-ar', String(ENGINE_SAMPLE_RATE),
    // Write each decoded packet at once instead of filling a 32 KiB buffer first.
    '-flush_packets', '1',
    'pipe:1',
  ];
}

/**
 * @example
 * const decoder = new FfmpegStreamDecoder(null, { pcm: consume, error: fail, drain: resumeSocket });
 * if (!decoder.write(bytes)) pauseSocket();
 * await decoder.end();
 */
export class FfmpegStreamDecoder implements StreamDecoder {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  private stderr = '';
  /** ffmpeg's description of the input so far; null once its streams were checked. */
  private inputInfo: string | null = '';
  private carry: number | null = null;
  private samples = 0;
  private lastOutputAt = 0;
  private lastWriteAt = 0;
  private ending = false;
  private failed = false;

  /** @param demuxer ffmpeg's name of the declared container, or null to detect it. */
  constructor(
    demuxer: string | null,
    private readonly events: StreamDecoderEvents,
  ) {
    this.child = spawn('ffmpeg', ffmpegArgs(demuxer), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.fail(new Error(`ffmpeg could not be started: ${err.message}`, { cause: err }));
        resolve(null);
      });
      this.child.once('close', (code) => resolve(code));
    });
    this.child.stdout.on('data', (bytes: Buffer) => this.output(bytes));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEEP_CHARS);
      if (this.inputInfo !== null) this.checkInput(text);
    });
    // ffmpeg may stop reading before the client stops sending (it failed, or
    // the container said it was over): later writes get EPIPE, which is not news.
    this.child.stdin.on('error', () => {});
    this.child.stdin.on('drain', () => this.events.drain());
    void this.exited.then((code) => {
      if (!this.ending && code !== 0) this.fail(this.decodeError());
    });
  }

  write(bytes: Uint8Array): boolean {
    if (this.ending || this.failed || !this.child.stdin.writable) return true;
    this.lastWriteAt = Date.now();
    return this.child.stdin.write(bytes);
  }

  async settle(): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < SETTLE_MAX_MS && !this.failed && this.child.exitCode === null) {
      // Before its first output ffmpeg is still starting or probing: quiet means nothing yet.
      const quiet = this.samples > 0 && Date.now() - Math.max(this.lastOutputAt, this.lastWriteAt) >= SETTLE_QUIET_MS;
      if (quiet && this.child.stdin.writableLength === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async end(): Promise<void> {
    this.ending = true;
    this.child.stdin.end();
    const code = await this.exited;
    if (this.failed) return;
    if (code !== 0) throw this.decodeError();
    if (this.samples === 0) throw new AudioDecodeError('the stream contains no audio');
  }

  destroy(): void {
    this.ending = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private output(bytes: Buffer): void {
    this.lastOutputAt = Date.now();
    const input = this.carry === null ? bytes : Buffer.concat([Buffer.of(this.carry), bytes]);
    const pcm = new Int16Array(input.length >> 1);
    // Copy rather than view: the pipe's buffer may be reused and oddly aligned.
    Buffer.from(pcm.buffer).set(input.subarray(0, pcm.length * 2));
    this.carry = input.length % 2 === 1 ? input[input.length - 1]! : null;
    this.samples += pcm.length;
    if (pcm.length > 0 && !this.failed) this.events.pcm(pcm);
  }

  /**
   * Stops a stream that declares a rate (or channel count) outside the
   * bounds: ffmpeg would turn a 1 Hz AIFF into 16,000 samples per input
   * sample. A few packets may already be out by then; they are dropped.
   */
  private checkInput(text: string): void {
    const info = this.inputInfo + text;
    const end = info.search(END_OF_INPUT_INFO);
    for (const stream of (end >= 0 ? info.slice(0, end) : info).matchAll(INPUT_AUDIO_STREAM)) {
      const channels = /^(\d+) channels/.exec(stream[2]!);
      const problem = audioBoundsProblem(Number(stream[1]), channels ? Number(channels[1]) : null);
      if (problem !== null) {
        this.inputInfo = null;
        this.fail(new AudioDecodeError(problem));
        this.destroy();
        return;
      }
    }
    this.inputInfo = end >= 0 || info.length > MAX_INPUT_INFO_CHARS ? null : info;
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.events.error(err);
  }

  /** Clients only see `Audio decode error`; ffmpeg's last message is the detail, for the log. */
  private decodeError(): AudioDecodeError {
    const lines = this.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    const detail = lines.at(-1)?.replace(/^\[(\w+) @ 0x[0-9a-f]+\] /, '$1: ') ?? null;
    return new AudioDecodeError('the stream is not in a supported audio format', detail);
  }
}
