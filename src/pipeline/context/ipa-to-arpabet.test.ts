import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARPABET_PHONES, ipaToArpabet } from './ipa-to-arpabet.js';

describe('ipaToArpabet', () => {
  it('maps espeak-ng transcriptions of dictionary words to their dictionary phones', () => {
    // espeak-ng 1.51 -v en-us --ipa, and cmudict-en-us.
    assert.deepEqual(ipaToArpabet('dˈæʃwʊd'), ['D', 'AE', 'SH', 'W', 'UH', 'D']);
    assert.deepEqual(ipaToArpabet('wˈɪloʊbi'), ['W', 'IH', 'L', 'OW', 'B', 'IY']);
    assert.deepEqual(ipaToArpabet('tʃˈɜːtʃ'), ['CH', 'ER', 'CH']);
  });

  it('reads diphthongs and affricates as one phone, r-coloured vowels as vowel and R', () => {
    assert.deepEqual(ipaToArpabet('ˌeɪtʃbˈiː'), ['EY', 'CH', 'B', 'IY']);
    assert.deepEqual(ipaToArpabet('dʒˈɑːɹ'), ['JH', 'AA', 'R']);
    assert.deepEqual(ipaToArpabet('fˈaɪɚ'), ['F', 'AY', 'ER']);
  });

  it('ignores stress, length, spaces and doubled consonants', () => {
    assert.deepEqual(ipaToArpabet('ˌeɪ wˈʌn'), ['EY', 'W', 'AH', 'N']);
    assert.deepEqual(ipaToArpabet('mjʊɹɹˈɪloʊ'), ['M', 'Y', 'UH', 'R', 'IH', 'L', 'OW']);
  });

  it('turns syllabic consonants into a vowel and the consonant, flaps and glottal stops into T', () => {
    assert.deepEqual(ipaToArpabet('bˈʌʔn̩'), ['B', 'AH', 'T', 'AH', 'N']);
    assert.deepEqual(ipaToArpabet('bˈʌɾɚ'), ['B', 'AH', 'T', 'ER']);
  });

  it('only produces phones of the en-us model', () => {
    const phones = ipaToArpabet('ɐɑɒæɔoɛeɪiʊuəɚɜʌᵻaɪaʊeɪoʊɔɪpbtdkɡfvθðszʃʒhmnŋlɹwjɾʔxçʍɬ');
    assert.ok(phones.every((p) => ARPABET_PHONES.has(p)), phones.join(' '));
  });
});
