import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TranslationRequest, TranslationPairs } from './translation-pairs.js';

// What Debian's apertium-eng-spa and apertium-fr-es install.
const INSTALLED = [
  { source: 'en', target: 'es' },
  { source: 'es', target: 'en' },
  { source: 'es', target: 'fr' },
  { source: 'fr', target: 'es' },
];
const pairs = new TranslationPairs(INSTALLED, ['en']);

const oneWay = (target: string | null): TranslationRequest => ({ type: 'one_way', targetLanguage: target, languageA: null, languageB: null });
const twoWay = (a: string | null, b: string | null): TranslationRequest => ({ type: 'two_way', targetLanguage: null, languageA: a, languageB: b });

describe('TranslationPairs.invalidFields', () => {
  it('accepts a one-way target that a heard language translates into', () => {
    assert.deepEqual(pairs.invalidFields(oneWay('es')), []);
  });

  it('refuses one-way targets no heard language reaches: unknown, uninstalled, or the heard language itself', () => {
    for (const target of ['fr', 'de', 'en', 'xx', null]) {
      assert.deepEqual(pairs.invalidFields(oneWay(target)), ['target_language'], String(target));
    }
  });

  it('accepts a two-way pair installed in both directions, heard or not', () => {
    assert.deepEqual(pairs.invalidFields(twoWay('en', 'es')), []);
    assert.deepEqual(pairs.invalidFields(twoWay('es', 'en')), []);
    assert.deepEqual(pairs.invalidFields(twoWay('fr', 'es')), []);
  });

  it('names each language no pair knows, then the second language of a pair not installed both ways', () => {
    assert.deepEqual(pairs.invalidFields(twoWay('de', 'xx')), ['language_a', 'language_b']);
    assert.deepEqual(pairs.invalidFields(twoWay('en', null)), ['language_b']);
    assert.deepEqual(pairs.invalidFields(twoWay('en', 'fr')), ['language_b']);
    assert.deepEqual(pairs.invalidFields(twoWay('es', 'es')), ['language_b']);
  });

  it('refuses everything when nothing is installed', () => {
    const none = new TranslationPairs([], ['en']);
    assert.equal(none.available, false);
    assert.deepEqual(none.invalidFields(oneWay('es')), ['target_language']);
    assert.deepEqual(none.oneWayTargets(), []);
    assert.deepEqual(none.twoWayPairs(), []);
  });
});

describe('what the models endpoint reports', () => {
  it('lists one-way targets reachable from heard languages only', () => {
    assert.equal(pairs.available, true);
    assert.deepEqual(pairs.oneWayTargets(), [{ targetLanguage: 'es', sourceLanguages: ['en'] }]);
  });

  it('lists two-way pairs that contain a heard language, heard language first', () => {
    assert.deepEqual(pairs.twoWayPairs(), ['en:es']);
  });
});

describe('TranslationRoute', () => {
  it('one-way: every other language goes to the target when its direction is installed', () => {
    const route = pairs.route(oneWay('es'));
    assert.equal(route.targetFor('en'), 'es');
    assert.equal(route.targetFor('fr'), 'es');
    assert.equal(route.targetFor('es'), null);
    assert.equal(route.targetFor('de'), null);
    assert.equal(route.targetFor(undefined), null);
  });

  it('two-way: each language goes to the other; other languages are only transcribed', () => {
    const route = pairs.route(twoWay('en', 'es'));
    assert.equal(route.targetFor('en'), 'es');
    assert.equal(route.targetFor('es'), 'en');
    assert.equal(route.targetFor('fr'), null);
    const withoutEnglish = pairs.route(twoWay('es', 'fr'));
    assert.equal(withoutEnglish.targetFor('en'), null);
    assert.equal(withoutEnglish.targetFor('fr'), 'es');
  });
});
