import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeWords, wordErrorRate, wordErrors } from './wer.js';

describe('normalizeWords', () => {
  it('lower-cases and drops punctuation but keeps apostrophes inside words', () => {
    assert.deepEqual(normalizeWords("Hello, I'm  here. 'Quoted'!"), ['hello', "i'm", 'here', 'quoted']);
  });

  it('splits hyphenated words', () => {
    assert.deepEqual(normalizeWords('cold-hearted'), ['cold', 'hearted']);
  });

  it('returns no words for punctuation only', () => {
    assert.deepEqual(normalizeWords(' . , '), []);
  });
});

describe('wordErrors', () => {
  it('is zero for texts that differ only in formatting', () => {
    assert.equal(wordErrors('he was not an ill disposed young man', 'He was not an ill-disposed young man.').errors, 0);
  });

  it('counts substitutions, deletions and insertions', () => {
    assert.deepEqual(wordErrors('a b c d', 'a x c'), {
      substitutions: 1,
      deletions: 1,
      insertions: 0,
      errors: 2,
      referenceWords: 4,
    });
    assert.deepEqual(wordErrors('a b', 'z a b y'), {
      substitutions: 0,
      deletions: 0,
      insertions: 2,
      errors: 2,
      referenceWords: 2,
    });
  });

  it('handles an empty hypothesis as all deletions', () => {
    assert.equal(wordErrors('one two three', '').deletions, 3);
  });

  it('finds the minimum edit distance', () => {
    // "illness those" for "ill disposed": two substitutions, not a deletion plus insertions.
    const counts = wordErrors('he was not an ill disposed young man', 'he was not an illness those young man');
    assert.equal(counts.errors, 2);
    assert.equal(counts.substitutions, 2);
  });
});

describe('wordErrorRate', () => {
  it('divides errors by reference words', () => {
    assert.equal(wordErrorRate('a b c d', 'a x c d'), 0.25);
  });

  it('can exceed 1 with insertions', () => {
    assert.equal(wordErrorRate('a', 'x y z'), 3);
  });

  it('rejects an empty reference', () => {
    assert.throws(() => wordErrorRate('', 'a'), RangeError);
  });
});
