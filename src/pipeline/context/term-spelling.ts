/**
 * Terms keep their spelling and casing in the transcript ("HbA1c",
 * "John Dashwood"): recognisers produce dictionary keys, in lower case.
 */
import type { ContextWord } from './context-phrases.js';

/**
 * Rewrites recognised words that form a term into the term's written
 * words. A term of several words is rewritten only where all its words
 * follow each other, so the term "Apple Watch" leaves a lone "watch" alone;
 * a one-word term is rewritten wherever it is recognised. Longer terms win.
 *
 * @example
 * const spelling = new TermSpelling([[{ written: 'HbA1c', key: 'hba1c' }]]);
 * spelling.apply([{ word: 'hba1c', startMs: 0, endMs: 400 }]) // [{ word: 'HbA1c', … }]
 */
export class TermSpelling {
  /** Terms by their first key, longest first. */
  private readonly byFirstKey = new Map<string, ContextWord[][]>();

  constructor(terms: readonly ContextWord[][]) {
    for (const term of terms) {
      // A term written in lower case throughout changes nothing.
      if (term.length === 0 || term.every((w) => w.written === w.key)) continue;
      const list = this.byFirstKey.get(term[0]!.key) ?? [];
      list.push(term);
      this.byFirstKey.set(term[0]!.key, list);
    }
    for (const list of this.byFirstKey.values()) list.sort((a, b) => b.length - a.length);
  }

  apply<W extends { word: string }>(words: readonly W[]): W[] {
    if (this.byFirstKey.size === 0) return [...words];
    const out: W[] = [];
    for (let i = 0; i < words.length; ) {
      const term = this.byFirstKey.get(words[i]!.word)?.find((t) => t.every((w, j) => words[i + j]?.word === w.key));
      if (!term) {
        out.push(words[i]!);
        i++;
        continue;
      }
      term.forEach((w, j) => out.push({ ...words[i + j]!, word: w.written }));
      i += term.length;
    }
    return out;
  }
}
