import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeTranslator } from '../../../test/support/fake-translator.js';
import { translateWithTerms } from './translation-terms.js';

/** Translates word by word from a tiny dictionary; unknown words pass through, like Apertium. */
const DICTIONARY: Record<string, string> = { i: 'yo', am: 'soy', smith: 'herrero', the: 'el', and: 'y', met: 'conocí' };
const wordByWord = (text: string) => text.replace(/[\p{L}]+/gu, (w) => DICTIONARY[w.toLowerCase()] ?? w);

describe('translateWithTerms', () => {
  it('translates normally when no term is spoken', async () => {
    const translator = new FakeTranslator(undefined, wordByWord);
    assert.equal(await translateWithTerms(translator, 'I am Smith.', 'en', 'es', []), 'yo soy herrero.');
    assert.equal(await translateWithTerms(translator, 'I am here.', 'en', 'es', [{ source: 'Smith', target: 'Smith' }]), 'yo soy here.');
  });

  it('puts the given target where the source phrase was spoken, whatever its case', async () => {
    const translator = new FakeTranslator(undefined, wordByWord);
    const terms = [{ source: 'Smith', target: 'Smith' }];
    assert.equal(await translateWithTerms(translator, 'I am John smith and I met the Smith.', 'en', 'es', terms), 'yo soy John Smith y yo conocí el Smith.');
    // The engine saw placeholders, not the phrase.
    assert.doesNotMatch(translator.calls[0]!.text, /smith/i);
  });

  it('matches whole words only, and the longest phrase first', async () => {
    const translator = new FakeTranslator(undefined, wordByWord);
    const terms = [
      { source: 'am', target: 'AM' },
      { source: 'I am', target: 'Io sono' },
    ];
    assert.equal(await translateWithTerms(translator, 'I am Sam.', 'en', 'es', terms), 'Io sono Sam.');
  });

  it('translates around the phrases when the engine does not return a placeholder intact', async () => {
    const translator = new FakeTranslator(undefined, (text) => wordByWord(text).replace(/Zxq\d+q/g, 'lost'));
    const terms = [{ source: 'John Smith', target: 'Juan Smith' }];
    assert.equal(
      await translateWithTerms(translator, 'I met John Smith, I am.', 'en', 'es', terms),
      'yo conocí Juan Smith, yo soy.',
    );
    assert.deepEqual(
      translator.calls.slice(1).map((c) => c.text),
      ['I met ', ', I am.'],
    );
  });
});
