/**
 * Translation of a finished transcript (async jobs): the same chunks and
 * token order a live session streams, computed in one go.
 */
import type { TranscriptToken } from '../tokens/token.js';
import { type ChunkTranslator, TranslationInterleaver } from './translation-interleaver.js';
import type { TranslationRoute } from './translation-pairs.js';

/**
 * Interleaves translation tokens with `tokens` (spoken tokens with
 * `language` set). Every original run is followed by its translation.
 *
 * @throws the first translation failure: a transcript is not stored with
 *   translations missing.
 * @throws the abort reason when `signal` aborts.
 * @example
 * await translateTranscript(tokens, pairs.route(request), translate)
 * // 'He', ' was', ' here', '.', ' Era', ' aquí', '.'
 */
export async function translateTranscript(
  tokens: readonly TranscriptToken[],
  route: TranslationRoute,
  translate: ChunkTranslator,
  signal?: AbortSignal,
): Promise<TranscriptToken[]> {
  signal?.throwIfAborted();
  const interleaver = new TranslationInterleaver(route, translate, {
    failed: (err) => interleaver.close(err),
  });
  const abort = () => interleaver.close(signal!.reason);
  signal?.addEventListener('abort', abort, { once: true });
  try {
    interleaver.push(tokens);
    await interleaver.settled();
    return interleaver.take();
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}
