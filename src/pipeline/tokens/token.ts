/**
 * A transcript token as the pipeline produces it: the camelCase twin of the
 * Soniox wire token (`text`, `start_ms`, `end_ms`, `confidence`).
 *
 * Concatenating the `text` of a transcript's tokens gives the readable
 * transcript: word tokens after the first carry a leading space and
 * punctuation tokens carry none, as Soniox sends them
 * (`"He"`, `" was"`, `" here"`, `"."`).
 */
export interface Token {
  text: string;
  startMs: number;
  endMs: number;
  /** 0..1 */
  confidence: number;
  /** "1", "2", … in order of first appearance, with diarization. */
  speaker?: string;
  /** ISO 639-1 code of the spoken language, with language identification or translation. */
  language?: string;
}

/**
 * The tokens without the engine's language labels: the contract shows a
 * token's language only with language identification or translation.
 */
export function withoutLanguages<T extends { language?: string }>(tokens: T[]): T[] {
  if (!tokens.some((t) => t.language !== undefined)) return tokens;
  return tokens.map(({ language: _, ...rest }) => rest as T);
}

/**
 * A token of a transcript with translation (API.md §7.13): spoken tokens
 * say whether they will be translated; translation tokens follow them with
 * the target `language`, the `sourceLanguage` and no timestamps.
 */
export interface TranscriptToken extends Omit<Token, 'startMs' | 'endMs'> {
  startMs?: number;
  endMs?: number;
  translationStatus?: 'none' | 'original' | 'translation';
  /** Only on translation tokens. */
  sourceLanguage?: string;
}
