/**
 * The narrow interface every text translation engine implements. Languages
 * are ISO 639-1 codes, as on the Soniox wire; an adapter maps its own codes.
 * The embedded engine is Apertium (./apertium); anything that can list its
 * language pairs and translate plain text fits behind it.
 */

/** One installed translation direction: `source` text can be translated into `target`. */
export interface LanguagePair {
  source: string;
  target: string;
}

export interface Translator {
  /**
   * The directions this engine can translate. A two-way pair is two entries.
   * @throws {TranslationError} when the engine cannot be reached.
   */
  pairs(): Promise<LanguagePair[]>;
  /**
   * Translates plain text. Unknown words pass through unchanged; the result
   * has single spaces and no leading or trailing whitespace.
   *
   * @throws {TranslationError} when the pair is not installed or the engine fails.
   * @throws the abort reason when `signal` aborts.
   * @example await translator.translate('He was here.', 'en', 'es') // 'Era aquí.'
   */
  translate(text: string, source: string, target: string, signal?: AbortSignal): Promise<string>;
}

/** The translation engine failed or is unavailable; the text stays untranslated. */
export class TranslationError extends Error {
  readonly code = 'translation_error';
  override readonly name = 'TranslationError';
}

/** The pair's key in sets and maps: `en:es`. */
export function pairKey(source: string, target: string): string {
  return `${source}:${target}`;
}
