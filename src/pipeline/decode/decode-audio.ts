/**
 * Decodes any supported audio file to 16 kHz mono s16 PCM with an ffmpeg
 * child process, as a stream: memory stays at a few pipe buffers whatever
 * the file's length, because ffmpeg blocks while the consumer is busy.
 */
import { spawn } from 'node:child_process';
import { ENGINE_SAMPLE_RATE } from '../engines/speech-engine.js';
import { AudioDecodeError, AudioTooLongError } from './errors.js';
import { ffmpegInputArgs } from './ffmpeg-input.js';

export interface DecodeOptions {
  /** Stop with {@link AudioTooLongError} as soon as more audio than this has been decoded. */
  maxDurationMs?: number;
  /** Aborting kills ffmpeg; the iteration then throws `signal.reason`. */
  signal?: AbortSignal;
}

// Enough of ffmpeg's stderr to hold its last few messages.
const STDERR_KEEP_CHARS = 4096;

/**
 * Yields the decoded samples in chunks of arbitrary size. Decoding errors
 * surface only when the iteration ends, so a consumer must finish the
 * iteration (or see it throw) before trusting what it received.
 *
 * @throws {AudioDecodeError} ffmpeg failed, or decoded no samples at all.
 * @throws {AudioTooLongError} the audio exceeds `maxDurationMs`.
 * @throws the abort reason when `signal` aborts.
 * @throws {Error} ffmpeg could not be started.
 * @example
 * for await (const samples of decodeAudio('talk.mp3', { maxDurationMs: 60_000 })) consume(samples);
 */
export async function* decodeAudio(path: string, options: DecodeOptions = {}): AsyncGenerator<Int16Array> {
  const { maxDurationMs = Infinity, signal } = options;
  signal?.throwIfAborted();
  const maxSamples = (maxDurationMs * ENGINE_SAMPLE_RATE) / 1000;
  const child = spawn(
    'ffmpeg',
    // The first audio stream, the one probe-duration.ts reports on, so the
    // rate checked before decoding is the rate decoded.
    ['-nostdin', '-v', 'error', ...ffmpegInputArgs(path), '-map', '0:a:0', '-f', 's16le', '-ac', '1', '-ar', String(ENGINE_SAMPLE_RATE), '-'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`ffmpeg could not be started: ${err.message}`, { cause: err })));
    child.once('close', (code) => resolve(code));
  });
  // If the consumer stops early nobody awaits `exited`; keep its rejection handled.
  exited.catch(() => {});
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_KEEP_CHARS);
  });
  const kill = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', kill, { once: true });

  try {
    let total = 0;
    // A chunk may end in the middle of a sample; its first byte waits here.
    let carry: number | null = null;
    for await (const bytes of child.stdout as AsyncIterable<Buffer>) {
      const samples = toSamples(bytes, carry);
      carry = samples.carry;
      total += samples.pcm.length;
      if (total > maxSamples) throw new AudioTooLongError(maxDurationMs);
      if (samples.pcm.length > 0) yield samples.pcm;
    }
    const code = await exited;
    signal?.throwIfAborted();
    if (code !== 0) throw ffmpegFailure(stderr, path);
    if (total === 0) throw new AudioDecodeError('the file contains no audio');
  } finally {
    signal?.removeEventListener('abort', kill);
    if (child.exitCode === null && child.signalCode === null) kill();
  }
}

/** Little-endian s16 samples of `bytes`, after a byte left over from the previous chunk. */
function toSamples(bytes: Buffer, carry: number | null): { pcm: Int16Array; carry: number | null } {
  const input = carry === null ? bytes : Buffer.concat([Buffer.of(carry), bytes]);
  const pcm = new Int16Array(input.length >> 1);
  // Copy rather than view: the pipe's buffer may be reused and oddly aligned.
  Buffer.from(pcm.buffer).set(input.subarray(0, pcm.length * 2));
  return { pcm, carry: input.length % 2 === 1 ? input[input.length - 1]! : null };
}

/**
 * The client is told what went wrong in plain words; ffmpeg's last messages
 * (codec internals, different in every ffmpeg version) go to the log only,
 * without file paths or memory addresses.
 */
function ffmpegFailure(stderr: string, path: string): AudioDecodeError {
  const lines = stderr
    .split('\n')
    .map((line) =>
      line
        .split(`file:${path}`)
        .join('the file')
        .split(path)
        .join('the file')
        .replace(/^\[(\w+) @ 0x[0-9a-f]+\] /, '$1: ')
        .trim(),
    )
    .filter((line) => line.length > 0);
  const detail = lines.slice(-3).join(' ') || null;
  const reason = /matches no streams|does not contain any stream/.test(stderr)
    ? 'the file contains no audio stream'
    : 'the file is not in a supported audio format';
  return new AudioDecodeError(reason, detail);
}
