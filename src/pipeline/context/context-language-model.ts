/**
 * The small language model a context becomes: unigram and bigram
 * probabilities over the context's words, written in ARPA format.
 *
 * It is combined with the engine's large model so that each word scores the
 * better of the two (see the README here: the combination works on
 * language-weighted scores, where a sum behaves like a maximum). Its
 * probabilities therefore act as floors, and need not sum to one: a term
 * becomes as likely as a common word everywhere, a word of the domain text
 * somewhat likely, and a word that follows another in the text likely
 * after it. Words the context does not mention keep their probability.
 */
import type { ContextPhrases, ContextWord } from './context-phrases.js';

/** Probability floors by dictionary key; bigram keys are "first second". */
export interface ContextNgrams {
  unigrams: Map<string, number>;
  bigrams: Map<string, number>;
}

// Chosen on the LibriVox test speech (README.md, "Context"): a term is as
// likely as "which" or "time"; many terms share a budget instead of each
// making the model favour them all.
const TERM_FLOOR = 0.01;
const TERM_BUDGET = 0.5;
/** The next word of a term, after its previous one. */
const TERM_BIGRAM_FLOOR = 0.5;
// Text words keep a tenth of their frequency in the text: function words
// stay below the large model's own estimate, rare names rise far above theirs.
const TEXT_SCALE = 0.1;
const TEXT_BIGRAM_SCALE = 0.5;
const SENTENCE_START = '<s>';

/**
 * Floors for the words of `phrases` whose keys `accept` (the words the
 * engine can pronounce).
 *
 * @example contextNgrams({ terms: [[celebrex]], sentences: [] }, () => true).unigrams // Map { 'celebrex' => 0.01 }
 */
export function contextNgrams(phrases: ContextPhrases, accept: (key: string) => boolean): ContextNgrams {
  const unigrams = new Map<string, number>();
  const bigrams = new Map<string, number>();
  const raise = (map: Map<string, number>, key: string, p: number) => map.set(key, Math.max(map.get(key) ?? 0, p));
  const keys = (words: ContextWord[]) => words.map((w) => w.key).filter(accept);

  const sentences = phrases.sentences.map(keys).filter((s) => s.length > 0);
  const counts = new Map<string, number>();
  const histories = new Map<string, number>();
  const pairs = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let total = 0;
  for (const sentence of sentences) {
    sentence.forEach((key, i) => {
      const previous = i === 0 ? SENTENCE_START : sentence[i - 1]!;
      add(counts, key);
      add(histories, previous);
      add(pairs, `${previous} ${key}`);
      total++;
    });
  }
  for (const [key, count] of counts) raise(unigrams, key, (TEXT_SCALE * count) / total);
  for (const [pair, count] of pairs) raise(bigrams, pair, (TEXT_BIGRAM_SCALE * count) / histories.get(pair.split(' ')[0]!)!);

  const terms = phrases.terms.map(keys).filter((t) => t.length > 0);
  const termWords = new Set(terms.flat());
  const termFloor = Math.min(TERM_FLOOR, TERM_BUDGET / Math.max(1, termWords.size));
  for (const term of terms) {
    term.forEach((key, i) => {
      raise(unigrams, key, termFloor);
      if (i > 0) raise(bigrams, `${term[i - 1]} ${key}`, TERM_BIGRAM_FLOOR);
    });
  }
  return { unigrams, bigrams };
}

/**
 * The floors as an ARPA file. Backoff weights are 1: after a word with no
 * recorded successor, the next word's unigram floor applies. `<s>` is the
 * history at the start of an utterance; it is never predicted itself.
 *
 * @example toArpa({ unigrams: new Map([['celebrex', 0.01]]), bigrams: new Map() })
 * // "\data\ ngram 1=2 … -99 <s> 0 … -2.0000 celebrex …"
 */
export function toArpa(ngrams: ContextNgrams): string {
  const log10 = (p: number) => Math.log10(p).toFixed(4);
  const histories = new Set([...ngrams.bigrams.keys()].map((pair) => pair.split(' ')[0]!));
  const unigrams = [...ngrams.unigrams].filter(([key]) => key !== SENTENCE_START);
  const lines = ['\\data\\', `ngram 1=${unigrams.length + 1}`];
  if (ngrams.bigrams.size > 0) lines.push(`ngram 2=${ngrams.bigrams.size}`);
  lines.push('', '\\1-grams:', `-99 ${SENTENCE_START} 0`);
  for (const [key, p] of unigrams) lines.push(`${log10(p)} ${key}${histories.has(key) ? ' 0' : ''}`);
  if (ngrams.bigrams.size > 0) {
    lines.push('', '\\2-grams:');
    for (const [pair, p] of ngrams.bigrams) lines.push(`${log10(p)} ${pair}`);
  }
  lines.push('', '\\end\\', '');
  return lines.join('\n');
}
