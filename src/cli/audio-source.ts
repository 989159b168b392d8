/**
 * Audio for `hark stream`: any file (or stdin) ffmpeg can read, decoded to
 * 16 kHz mono pcm_s16le and cut into 120 ms chunks, sent at the pace of
 * real time as a live source would (the docs' examples do the same).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './cli-error.js';

export const PCM_FORMAT = { audio_format: 'pcm_s16le', sample_rate: 16_000, num_channels: 1 } as const;

const CHUNK_MS = 120;
const CHUNK_BYTES = (PCM_FORMAT.sample_rate * 2 * CHUNK_MS) / 1000;

/**
 * Decoded chunks of `input` (a path, or "-" for stdin). Paced chunks leave
 * when their audio would have been heard, measured from the first one, so
 * pacing does not drift.
 *
 * @throws CliError when ffmpeg is missing or cannot decode the input.
 */
export async function* pcmChunks(input: string, options: { paced: boolean; signal: AbortSignal }): AsyncGenerator<Uint8Array> {
  const ffmpeg = spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', ...(input === '-' ? [] : ['-nostdin']), '-i', input === '-' ? 'pipe:0' : input, '-vn', '-ac', '1', '-ar', String(PCM_FORMAT.sample_rate), '-f', 's16le', 'pipe:1'],
    { stdio: [input === '-' ? 'inherit' : 'ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  ffmpeg.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    ffmpeg.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new CliError('hark stream needs ffmpeg to decode audio (apt-get install ffmpeg)') : err),
    );
    ffmpeg.once('close', (code) => resolve(code));
  });
  // Rejections are read below; keep Node from reporting one that arrives before.
  exited.catch(() => undefined);
  const stop = () => ffmpeg.kill('SIGTERM');
  options.signal.addEventListener('abort', stop, { once: true });

  const startedAt = performance.now();
  let sent = 0;
  let buffered: Buffer = Buffer.alloc(0);
  try {
    for await (const data of ffmpeg.stdout as AsyncIterable<Buffer>) {
      buffered = buffered.length === 0 ? data : Buffer.concat([buffered, data]);
      while (buffered.length >= CHUNK_BYTES) {
        const chunk = buffered.subarray(0, CHUNK_BYTES);
        buffered = buffered.subarray(CHUNK_BYTES);
        if (options.paced) {
          const due = startedAt + sent * CHUNK_MS - performance.now();
          if (due > 0) await sleep(due);
        }
        if (options.signal.aborted) return;
        sent += 1;
        yield chunk;
      }
    }
    if (buffered.length > 0 && !options.signal.aborted) yield buffered;
    const code = await exited;
    if (code !== 0 && !options.signal.aborted) {
      throw new CliError(`ffmpeg could not decode ${input === '-' ? 'standard input' : input}: ${errors.trim() || `exit code ${code}`}`);
    }
  } finally {
    options.signal.removeEventListener('abort', stop);
    if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
      ffmpeg.kill('SIGTERM');
      await once(ffmpeg, 'close').catch(() => undefined);
    }
  }
}
