/**
 * Language identification and translation of transcripts, async and live:
 * the one place that knows which stages a request needs and feeds them the
 * translator, the installed pairs and the request's translation terms.
 * Requests reach it validated (see {@link TranslationPairs.invalidFields}).
 */
import type { LanguageIdentifier } from '../../pipeline/language/language-identifier.js';
import { type TranscriptToken, withoutLanguages } from '../../pipeline/tokens/token.js';
import { LiveTranslation, type LiveTranslationEvents } from '../../pipeline/translation/live-translation.js';
import { translateTranscript } from '../../pipeline/translation/transcript-translation.js';
import type { ChunkTranslator } from '../../pipeline/translation/translation-interleaver.js';
import type { TranslationPairs, TranslationRequest } from '../../pipeline/translation/translation-pairs.js';
import { type TranslationTerm, translateWithTerms } from '../../pipeline/translation/translation-terms.js';
import { type Translator, TranslationError } from '../../pipeline/translation/translator.js';

/** What a transcription or a session asked of languages. */
export interface LanguageOptions {
  languageIdentification: boolean;
  translation: TranslationRequest | null;
  /** From `context.translation_terms`; ignored without translation. */
  translationTerms: readonly TranslationTerm[];
}

export class TranslationService {
  constructor(
    /** Null when no translation engine could be started (then `pairs` is empty). */
    private readonly translator: Translator | null,
    readonly pairs: TranslationPairs,
    private readonly identifier: LanguageIdentifier,
  ) {}

  /**
   * A finished transcript's tokens with languages and, when asked for,
   * translations; the tokens as they are when neither was asked for.
   *
   * @throws {TranslationError} when a run cannot be translated.
   * @throws the abort reason when `signal` aborts.
   * @example
   * await service.annotate(tokens, { languageIdentification: false, translation: oneWayToSpanish, translationTerms: [] })
   * // 'He', ' was', ' here', '.' (original, en), ' Era', ' aquí', '.' (translation, es)
   */
  async annotate(tokens: TranscriptToken[], options: LanguageOptions, signal?: AbortSignal): Promise<TranscriptToken[]> {
    if (!options.languageIdentification && !options.translation) return withoutLanguages(tokens);
    const labelled = this.identifier.identify(tokens);
    if (!options.translation) return labelled;
    return translateTranscript(labelled, this.pairs.route(options.translation), this.chunkTranslator(options.translationTerms), signal);
  }

  /** The language stage of a live session, or null when it needs none. */
  openLive(options: LanguageOptions, events: LiveTranslationEvents): LiveTranslation | null {
    if (!options.languageIdentification && !options.translation) return null;
    const route = options.translation ? this.pairs.route(options.translation) : null;
    return new LiveTranslation(this.identifier, route, this.chunkTranslator(options.translationTerms), events);
  }

  private chunkTranslator(terms: readonly TranslationTerm[]): ChunkTranslator {
    return (text, source, target, signal) => {
      if (!this.translator) return Promise.reject(new TranslationError('No translation engine is running'));
      return translateWithTerms(this.translator, text, source, target, terms, signal);
    };
  }
}
