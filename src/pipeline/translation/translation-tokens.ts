/**
 * Translated text as tokens, in the style of the spoken ones: a word per
 * token with a leading space, end punctuation as its own token
 * (`" Era"`, `" aquí"`, `"."`). The leading space of the first word
 * separates the translation from the original before it, so the
 * concatenated transcript reads "He was here. Era aquí. …".
 */
import type { TranscriptToken } from '../tokens/token.js';

/** What every token of one translation shares. */
export interface TranslationChunkInfo {
  /** The target language. */
  language: string;
  sourceLanguage: string;
  /** The speaker of the original run, with diarization. */
  speaker?: string;
  confidence: number;
}

const TRAILING_PUNCTUATION = /[.,;:!?…]+$/u;

/**
 * @example
 * translationTokens('Era aquí.', { language: 'es', sourceLanguage: 'en', confidence: 0.9 }).map((t) => t.text)
 * // [' Era', ' aquí', '.']
 */
export function translationTokens(text: string, info: TranslationChunkInfo): TranscriptToken[] {
  const texts: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const punctuation = TRAILING_PUNCTUATION.exec(word)?.[0] ?? '';
    const body = word.slice(0, word.length - punctuation.length);
    if (body) texts.push(` ${body}`);
    if (punctuation) texts.push(body ? punctuation : ` ${punctuation}`);
  }
  return texts.map((t) => ({
    text: t,
    confidence: info.confidence,
    ...(info.speaker !== undefined ? { speaker: info.speaker } : {}),
    language: info.language,
    translationStatus: 'translation' as const,
    sourceLanguage: info.sourceLanguage,
  }));
}
