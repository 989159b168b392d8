import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** An `audio_url` that could not be fetched; the message is shown to the user. */
export class AudioUrlError extends Error {
  override name = 'AudioUrlError';
  readonly code = 'audio_url_error';
}

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
}

/**
 * Streams `url` to `destPath`, bounded in size and time.
 * @throws AudioUrlError when the host is unreachable, answers non-2xx,
 *   sends a web page instead of audio, or exceeds the limits.
 */
export async function downloadAudioUrl(url: string, destPath: string, limits: DownloadLimits, signal?: AbortSignal): Promise<number> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { signal: combined, redirect: 'follow' });
  } catch (err) {
    if (timeout.aborted) throw new AudioUrlError(`Timed out downloading audio_url after ${limits.timeoutMs} ms.`);
    if (signal?.aborted) throw err;
    const reason = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new AudioUrlError(`Could not download audio_url: ${reason?.code ?? reason?.message ?? (err as Error).message}.`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new AudioUrlError(`Could not download audio_url: the server answered HTTP ${response.status}.`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (/^(text\/html|application\/json)/i.test(type)) {
    await response.body.cancel();
    throw new AudioUrlError(`audio_url did not return audio (content-type ${type}).`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) {
    await response.body.cancel();
    throw new AudioUrlError(`audio_url is larger than the maximum file size of ${limits.maxBytes} bytes.`);
  }
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > limits.maxBytes) {
        done(new AudioUrlError(`audio_url is larger than the maximum file size of ${limits.maxBytes} bytes.`));
      } else done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counter, createWriteStream(destPath), {
      signal: combined,
    });
  } catch (err) {
    await rm(destPath, { force: true });
    if (err instanceof AudioUrlError) throw err;
    if (timeout.aborted) throw new AudioUrlError(`Timed out downloading audio_url after ${limits.timeoutMs} ms.`);
    if (signal?.aborted) throw err;
    throw new AudioUrlError(`Could not download audio_url: ${(err as Error).message}.`);
  }
  if (received === 0) throw new AudioUrlError('audio_url returned no data.');
  return received;
}
