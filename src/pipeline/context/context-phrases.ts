/**
 * The words of a context as a recognizer sees them: terms, each a short
 * phrase, and the sentences of the domain (text, general values, the source
 * side of translation terms). Each word keeps its written form ("HbA1c",
 * "Dashwood's") next to its dictionary key (lower case), because
 * pronunciation dictionaries are lower-case while output keeps the term's
 * spelling.
 */
import type { RecognitionContext } from './recognition-context.js';

export interface ContextWord {
  /** As written in the context: "HbA1c". */
  written: string;
  /** Dictionary key: "hba1c". */
  key: string;
}

export interface ContextPhrases {
  /** Each term as its words, in order. Terms without a word are dropped. */
  terms: ContextWord[][];
  /** Sentences of the domain, as words. */
  sentences: ContextWord[][];
}

// Letters and digits, joined by apostrophes, hyphens or dots inside a word
// ("Dashwood's", "Jean-Luc", "3.5"); everything else separates words.
const WORD = /[\p{L}\p{N}]+(?:['.\-][\p{L}\p{N}]+)*/gu;

// A sentence ends at . ! ? ; : followed by a space, or at a line break. The
// titles that precede names do not end one ("Mr. John Dashwood").
const SENTENCE_END = /(?<=[!?;:]|(?<!\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Mt|vs))\.)\s+|[\r\n]+/u;

/**
 * The words of a piece of text.
 *
 * @example contextWords('HbA1c, Dashwood’s!') // [{ written: 'HbA1c', key: 'hba1c' }, { written: "Dashwood's", key: "dashwood's" }]
 */
export function contextWords(text: string): ContextWord[] {
  return (text.replace(/’/g, "'").match(WORD) ?? []).map((written) => ({ written, key: written.toLowerCase() }));
}

/**
 * Terms and domain sentences of a context. General entries contribute their
 * values (the keys, such as "domain", are labels rather than speech).
 *
 * @example contextPhrases({ general: [], text: 'He left. She stayed.', terms: ['Celebrex'], translationTerms: [] })
 * // terms: [[Celebrex]], sentences: [[He, left], [She, stayed]]
 */
export function contextPhrases(context: RecognitionContext): ContextPhrases {
  const domain = [
    ...context.general.map((entry) => entry.value),
    ...context.text.split(SENTENCE_END),
    ...context.translationTerms.map((entry) => entry.source),
  ];
  return {
    terms: context.terms.map(contextWords).filter((words) => words.length > 0),
    sentences: domain.map(contextWords).filter((words) => words.length > 0),
  };
}
