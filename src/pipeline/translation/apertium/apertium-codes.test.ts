import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toIsoLanguage, toIsoPairs } from './apertium-codes.js';

describe('toIsoLanguage', () => {
  it('maps ISO 639-3 codes to the ISO 639-1 codes Soniox uses', () => {
    assert.equal(toIsoLanguage('eng'), 'en');
    assert.equal(toIsoLanguage('spa'), 'es');
    assert.equal(toIsoLanguage('fra'), 'fr');
    assert.equal(toIsoLanguage('nob'), 'no');
    assert.equal(toIsoLanguage('zlm'), 'ms');
  });

  it('maps a variant to its language', () => {
    assert.equal(toIsoLanguage('eng_US'), 'en');
    assert.equal(toIsoLanguage('por_BR'), 'pt');
  });

  it('keeps 2-letter codes Soniox knows and drops languages Soniox does not list', () => {
    assert.equal(toIsoLanguage('es'), 'es');
    assert.equal(toIsoLanguage('hbs'), null);
    assert.equal(toIsoLanguage('epo'), null);
    assert.equal(toIsoLanguage('xx'), null);
  });
});

describe('toIsoPairs', () => {
  it('gives one pair per direction with the langpair APy expects, preferring plain pairs over variants', () => {
    const pairs = toIsoPairs([
      { sourceLanguage: 'spa', targetLanguage: 'eng_US' },
      { sourceLanguage: 'spa', targetLanguage: 'eng' },
      { sourceLanguage: 'eng', targetLanguage: 'spa' },
      { sourceLanguage: 'fra', targetLanguage: 'spa' },
      { sourceLanguage: 'epo', targetLanguage: 'spa' },
    ]);
    assert.deepEqual(pairs, [
      { source: 'es', target: 'en', langpair: 'spa|eng' },
      { source: 'en', target: 'es', langpair: 'eng|spa' },
      { source: 'fr', target: 'es', langpair: 'fra|spa' },
    ]);
  });

  it('uses a variant when it is the only pair of its direction', () => {
    assert.deepEqual(toIsoPairs([{ sourceLanguage: 'spa', targetLanguage: 'eng_US' }]), [
      { source: 'es', target: 'en', langpair: 'spa|eng_US' },
    ]);
  });
});
