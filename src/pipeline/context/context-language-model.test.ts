import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextNgrams, toArpa } from './context-language-model.js';
import { type ContextPhrases, contextWords } from './context-phrases.js';

const phrases = (terms: string[], sentences: string[]): ContextPhrases => ({
  terms: terms.map(contextWords),
  sentences: sentences.map(contextWords),
});

describe('contextNgrams', () => {
  it('gives each term word a floor and links the words of a term', () => {
    const { unigrams, bigrams } = contextNgrams(phrases(['John Dashwood', 'Celebrex'], []), () => true);
    assert.deepEqual([...unigrams.keys()], ['john', 'dashwood', 'celebrex']);
    assert.ok([...unigrams.values()].every((p) => p === 0.01));
    assert.deepEqual([...bigrams], [['john dashwood', 0.5]]);
  });

  it('lets many terms share a budget', () => {
    const many = Array.from({ length: 200 }, (_, i) => `term${i}`);
    const { unigrams } = contextNgrams(phrases(many, []), () => true);
    assert.equal(unigrams.get('term0'), 0.5 / 200);
  });

  it('scales text words by their frequency, and follows each word with its successors in the text', () => {
    const { unigrams, bigrams } = contextNgrams(phrases([], ['the cat sat', 'the dog']), () => true);
    assert.equal(unigrams.get('the'), (0.1 * 2) / 5);
    assert.equal(unigrams.get('dog'), 0.1 / 5);
    assert.equal(bigrams.get('<s> the'), 0.5);
    assert.equal(bigrams.get('the cat'), 0.25);
  });

  it('leaves out words the engine cannot pronounce', () => {
    const { unigrams, bigrams } = contextNgrams(phrases(['Xq Dashwood'], ['a xq b']), (key) => key !== 'xq');
    assert.deepEqual([...unigrams.keys()].sort(), ['a', 'b', 'dashwood']);
    assert.deepEqual([...bigrams.keys()], ['<s> a', 'a b']);
  });
});

describe('toArpa', () => {
  it('writes an ARPA model with log10 probabilities and backoff weights of 1', () => {
    const arpa = toArpa({ unigrams: new Map([['john', 0.01], ['dashwood', 0.01]]), bigrams: new Map([['john dashwood', 0.5]]) });
    assert.equal(
      arpa,
      [
        '\\data\\', 'ngram 1=3', 'ngram 2=1', '',
        '\\1-grams:', '-99 <s> 0', '-2.0000 john 0', '-2.0000 dashwood', '',
        '\\2-grams:', '-0.3010 john dashwood', '',
        '\\end\\', '',
      ].join('\n'),
    );
  });

  it('writes a unigram model when there are no bigrams', () => {
    const arpa = toArpa({ unigrams: new Map([['celebrex', 0.01]]), bigrams: new Map() });
    assert.ok(!arpa.includes('ngram 2') && !arpa.includes('2-grams'), arpa);
  });
});
