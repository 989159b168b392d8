import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SentenceLanguageIdentifier } from './language-identifier.js';

const identifier = new SentenceLanguageIdentifier('en');
const languages = (tokens: { text: string; language?: string }[]) => tokens.map((t) => t.language);

describe('SentenceLanguageIdentifier', () => {
  it('labels every token with the engine language when the engine gives no per-token guess', () => {
    const tokens = identifier.identify([{ text: 'He' }, { text: ' was' }, { text: '.' }, { text: ' Here' }]);
    assert.deepEqual(languages(tokens), ['en', 'en', 'en', 'en']);
    assert.deepEqual(tokens.map((t) => t.text), ['He', ' was', '.', ' Here']);
  });

  it('gives a whole sentence its majority language: a foreign word inside an English sentence stays en', () => {
    const tokens = identifier.identify([
      { text: 'I', language: 'en' },
      { text: ' love', language: 'en' },
      { text: ' croissants', language: 'fr' },
      { text: '.' },
      { text: ' Merci', language: 'fr' },
      { text: ' beaucoup', language: 'fr' },
      { text: '!' },
    ]);
    assert.deepEqual(languages(tokens), ['en', 'en', 'en', 'en', 'fr', 'fr', 'fr']);
  });

  it('counts words only: punctuation has no vote', () => {
    const tokens = identifier.identify([
      { text: 'Ja', language: 'de' },
      { text: ' natürlich', language: 'de' },
      { text: ',', language: 'en' },
      { text: ';', language: 'en' },
      { text: ' ok', language: 'en' },
    ]);
    assert.deepEqual(languages(tokens), ['de', 'de', 'de', 'de', 'de']);
  });

  it('does not change the tokens it is given', () => {
    const input = [{ text: 'Hi', language: 'fr' }, { text: ' there' }];
    assert.deepEqual(languages(identifier.identify(input)), ['fr', 'fr']);
    assert.deepEqual(input, [{ text: 'Hi', language: 'fr' }, { text: ' there' }]);
  });
});
