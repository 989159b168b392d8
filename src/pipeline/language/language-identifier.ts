/**
 * Language identification (API.md §7.14): every spoken token gets the ISO
 * 639-1 code of its language, decided per sentence, so that a foreign word
 * inside an English sentence stays `en`.
 *
 * An engine that recognises several languages labels the tokens it produces
 * with its own per-token guess (`Token.language`); the identifier turns those
 * votes into one language per sentence. An engine that hears one language
 * (the embedded PocketSphinx: English) labels nothing, and every sentence
 * gets that language.
 */

/** What the identifier reads and writes of a token. */
export interface LanguageTaggable {
  text: string;
  language?: string;
}

export interface LanguageIdentifier {
  /**
   * The spoken tokens (no `<end>`/`<fin>` markers), each with `language` set,
   * one language per sentence.
   */
  identify<T extends LanguageTaggable>(tokens: readonly T[]): T[];
}

const SENTENCE_END = /[.!?…]$/u;

/**
 * Majority vote of the words of each sentence (punctuation has no say);
 * sentences without votes get the engine's language.
 *
 * @example
 * new SentenceLanguageIdentifier('en').identify([{ text: 'Hola' }, { text: '.' }])
 * // [{ text: 'Hola', language: 'en' }, { text: '.', language: 'en' }]
 * @example
 * new SentenceLanguageIdentifier('en').identify([
 *   { text: 'Je', language: 'fr' }, { text: ' suis', language: 'fr' }, { text: ' happy', language: 'en' }, { text: '.' },
 * ]).map((t) => t.language) // ['fr', 'fr', 'fr', 'fr']
 */
export class SentenceLanguageIdentifier implements LanguageIdentifier {
  /** @param engineLanguage the language of sentences the engine did not label. */
  constructor(private readonly engineLanguage: string) {}

  identify<T extends LanguageTaggable>(tokens: readonly T[]): T[] {
    const out: T[] = [];
    let sentence: T[] = [];
    const close = () => {
      const language = this.majority(sentence);
      for (const token of sentence) out.push({ ...token, language });
      sentence = [];
    };
    for (const token of tokens) {
      sentence.push(token);
      if (SENTENCE_END.test(token.text)) close();
    }
    close();
    return out;
  }

  private majority(sentence: readonly LanguageTaggable[]): string {
    const votes = new Map<string, number>();
    for (const token of sentence) {
      if (token.language === undefined || !/\p{L}/u.test(token.text)) continue;
      votes.set(token.language, (votes.get(token.language) ?? 0) + 1);
    }
    let best = this.engineLanguage;
    let bestVotes = 0;
    for (const [language, count] of votes) {
      if (count > bestVotes) [best, bestVotes] = [language, count];
    }
    return best;
  }
}
