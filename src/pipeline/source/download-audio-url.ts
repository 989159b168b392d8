import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { OutboundAddressPolicy } from '../../lib/outbound-address-policy.js';
import { RedirectError, getFollowingRedirects } from '../../lib/outbound-http.js';

/**
 * An `audio_url` that could not be fetched. The message is shown to the user; `detail` is for
 * the server log and may name internal addresses and ports.
 */
export class AudioUrlError extends Error {
  override name = 'AudioUrlError';
  readonly code = 'audio_url_error';
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** Browsers stop at 20; real audio hosts (S3 presigning, CDNs) need two or three. */
const MAX_REDIRECTS = 10;

/**
 * Everything that ends before a server answers over HTTP: a refused address, DNS failure, a
 * closed port, a port that speaks something else or nothing at all. One message, so that
 * `error_message` cannot be used to map what listens where.
 */
export const UNREACHABLE_MESSAGE = 'Could not download audio_url: the server could not be reached or did not answer over HTTP.';

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(': ');
}

/** Decoders for what fetch used to undo on its own; counted after decoding, so a bomb stops at the limit. */
function decoderFor(encoding: string | undefined): Transform | null | 'unsupported' {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return 'unsupported';
  }
}

/**
 * Streams `url` to `destPath`, bounded in size and time, connecting only where `policy` allows.
 * @throws AudioUrlError when the host is refused or unreachable, answers non-2xx, redirects
 *   too often, sends a web page instead of audio, or exceeds the limits.
 */
export async function downloadAudioUrl(
  url: string,
  destPath: string,
  limits: DownloadLimits,
  policy: OutboundAddressPolicy,
  signal?: AbortSignal,
): Promise<number> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const timedOut = `Timed out downloading audio_url after ${limits.timeoutMs} ms.`;
  let response: IncomingMessage;
  try {
    response = await getFollowingRedirects(new URL(url), policy, {
      headers: { 'user-agent': 'Hark/1', accept: 'audio/*, video/*, */*' },
      signal: combined,
      maxRedirects: MAX_REDIRECTS,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    if (err instanceof RedirectError) throw new AudioUrlError(`Could not download audio_url: ${err.message}.`);
    throw new AudioUrlError(UNREACHABLE_MESSAGE, timeout.aborted ? `no answer within ${limits.timeoutMs} ms` : describe(err));
  }
  const status = response.statusCode ?? 0;
  const reject = (message: string): never => {
    response.destroy();
    throw new AudioUrlError(message);
  };
  if (status < 200 || status >= 300) reject(`Could not download audio_url: the server answered HTTP ${status}.`);
  const page = /^(text\/html|application\/json)/i.exec(response.headers['content-type'] ?? '');
  if (page) reject(`audio_url did not return audio (content-type ${page[1]!.toLowerCase()}).`);
  const tooLarge = `audio_url is larger than the maximum file size of ${limits.maxBytes} bytes.`;
  const decoder = decoderFor(response.headers['content-encoding']);
  if (decoder === 'unsupported') return reject('Could not download audio_url: the server used an unsupported Content-Encoding.');
  if (decoder === null && Number(response.headers['content-length'] ?? NaN) > limits.maxBytes) reject(tooLarge);

  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > limits.maxBytes) done(new AudioUrlError(tooLarge));
      else done(null, chunk);
    },
  });
  try {
    const stages = decoder ? [response, decoder, counter] : [response, counter];
    await pipeline([...stages, createWriteStream(destPath)], { signal: combined });
  } catch (err) {
    response.destroy();
    await rm(destPath, { force: true });
    if (err instanceof AudioUrlError) throw err;
    if (signal?.aborted) throw err;
    if (timeout.aborted) throw new AudioUrlError(timedOut);
    if (decoder && /^Z_/.test((err as { code?: string }).code ?? '')) {
      throw new AudioUrlError('Could not download audio_url: the server sent a body that could not be decompressed.', describe(err));
    }
    throw new AudioUrlError('Could not download audio_url: the transfer was interrupted.', describe(err));
  }
  if (received === 0) throw new AudioUrlError('audio_url returned no data.');
  return received;
}
