/**
 * Word error rate: the Levenshtein distance between two word sequences,
 * divided by the number of reference words.
 *
 * Both texts are normalised first (lower-case, punctuation dropped, hyphens
 * split into words) so that "Cold-hearted." and "cold hearted" compare equal:
 * WER measures recognition, not formatting.
 */

/** Edit counts of the best alignment of a hypothesis against a reference. */
export interface WordErrors {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** substitutions + deletions + insertions */
  errors: number;
  referenceWords: number;
}

/**
 * Lower-case words of `text`, without punctuation. Apostrophes inside words
 * are kept ("i'm" stays one word); hyphens and other punctuation separate words.
 *
 * @example normalizeWords('Hello, cold-hearted world!') // ['hello', 'cold', 'hearted', 'world']
 */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .split(' ')
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter((word) => word.length > 0);
}

/**
 * Counts the substitutions, deletions and insertions that turn `reference`
 * into `hypothesis` (minimum total, ties broken towards substitutions).
 *
 * @example wordErrors('he was not', 'he is not').errors // 1
 */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(hypothesis);
  // One row of the DP table at a time; each cell carries its edit counts so
  // the totals need no backtrace.
  type Cell = { s: number; d: number; i: number };
  const cost = (c: Cell) => c.s + c.d + c.i;
  let previous: Cell[] = hyp.map((_, j) => ({ s: 0, d: 0, i: j + 1 }));
  previous.unshift({ s: 0, d: 0, i: 0 });
  for (let r = 1; r <= ref.length; r++) {
    const current: Cell[] = [{ s: 0, d: r, i: 0 }];
    for (let h = 1; h <= hyp.length; h++) {
      const diagonal = previous[h - 1]!;
      const up = previous[h]!;
      const left = current[h - 1]!;
      const same = ref[r - 1] === hyp[h - 1];
      const candidates: Cell[] = [
        same ? diagonal : { ...diagonal, s: diagonal.s + 1 },
        { ...up, d: up.d + 1 },
        { ...left, i: left.i + 1 },
      ];
      current.push(candidates.reduce((best, c) => (cost(c) < cost(best) ? c : best)));
    }
    previous = current;
  }
  const last = previous[hyp.length]!;
  return {
    substitutions: last.s,
    deletions: last.d,
    insertions: last.i,
    errors: cost(last),
    referenceWords: ref.length,
  };
}

/**
 * Word error rate of `hypothesis` against `reference`, as a fraction
 * (0.25 = 25 %). Can exceed 1 when the hypothesis has many insertions.
 *
 * @throws {RangeError} when the reference has no words.
 * @example wordErrorRate('a b c d', 'a x c d') // 0.25
 */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const counts = wordErrors(reference, hypothesis);
  if (counts.referenceWords === 0) throw new RangeError('Reference text has no words');
  return counts.errors / counts.referenceWords;
}
