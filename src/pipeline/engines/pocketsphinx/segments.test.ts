import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dictionaryWord, isFiller, toPartialWords, toRecognizedWords } from './segments.js';

describe('isFiller', () => {
  it('recognises sentence markers, silence and noise words', () => {
    for (const word of ['<s>', '</s>', '<sil>', '[NOISE]', '[SPEECH]', '++BREATH++']) assert.ok(isFiller(word), word);
  });

  it('keeps real words, including ones with punctuation', () => {
    for (const word of ['he', "i'm", 'a.m.', 'cold-hearted', 'was(2)']) assert.ok(!isFiller(word), word);
  });
});

describe('dictionaryWord', () => {
  it('strips the alternate pronunciation marker', () => {
    assert.equal(dictionaryWord('was(2)'), 'was');
    assert.equal(dictionaryWord('leisure(12)'), 'leisure');
    assert.equal(dictionaryWord('dr.'), 'dr.');
  });
});

describe('toRecognizedWords', () => {
  // The start of "he was not an illness" as PocketSphinx segments it.
  const segments = [
    { word: '<s>', startFrame: 0, endFrame: 6, posterior: 1 },
    { word: '<sil>', startFrame: 7, endFrame: 20, posterior: 0.69 },
    { word: 'he', startFrame: 21, endFrame: 32, posterior: 0.999 },
    { word: 'was(2)', startFrame: 33, endFrame: 54, posterior: 1.0000001 },
    { word: '[SPEECH]', startFrame: 55, endFrame: 60, posterior: 0.5 },
    { word: 'illness', startFrame: 61, endFrame: 99, posterior: 0.834 },
    { word: '</s>', startFrame: 100, endFrame: 110, posterior: 1 },
  ];

  it('keeps only words, with frames turned into stream milliseconds', () => {
    assert.deepEqual(toRecognizedWords(segments, 2000), [
      { word: 'he', startMs: 2210, endMs: 2330, confidence: 0.999 },
      { word: 'was', startMs: 2330, endMs: 2550, confidence: 1 },
      { word: 'illness', startMs: 2610, endMs: 3000, confidence: 0.834 },
    ]);
  });

  it('drops confidences for partial words', () => {
    assert.deepEqual(toPartialWords(segments, 0)[0], { word: 'he', startMs: 210, endMs: 330 });
  });
});
