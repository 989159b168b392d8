import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARPABET_PHONES } from './ipa-to-arpabet.js';
import { letterToSound } from './letter-to-sound.js';

describe('letterToSound', () => {
  it('reads common spellings', () => {
    assert.deepEqual(letterToSound('Zyrtec'), ['Z', 'ER', 'T', 'EH', 'K']);
    assert.deepEqual(letterToSound('city'), ['S', 'IH', 'T', 'IY']);
    assert.deepEqual(letterToSound('shop'), ['SH', 'AA', 'P']);
  });

  it('spells acronyms letter by letter and says digits', () => {
    assert.deepEqual(letterToSound('GPT'), ['JH', 'IY', 'P', 'IY', 'T', 'IY']);
    assert.deepEqual(letterToSound('HbA1c'), ['EY', 'CH', 'B', 'IY', 'EY', 'W', 'AH', 'N', 'S', 'IY']);
  });

  it('says nothing for punctuation and only produces phones of the en-us model', () => {
    assert.deepEqual(letterToSound("-'."), []);
    const phones = letterToSound("Quixotic-Rhythm's 42 thoughtful knights");
    assert.ok(phones.length > 10 && phones.every((p) => ARPABET_PHONES.has(p)), phones.join(' '));
  });
});
