import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextPhrases, contextWords } from './context-phrases.js';

const keys = (words: { key: string }[][]) => words.map((w) => w.map((x) => x.key).join(' '));

describe('contextWords', () => {
  it('keeps written forms and gives lower-case dictionary keys', () => {
    assert.deepEqual(contextWords('HbA1c, Dashwood’s (Jean-Luc) 3.5 a.m.'), [
      { written: 'HbA1c', key: 'hba1c' },
      { written: "Dashwood's", key: "dashwood's" },
      { written: 'Jean-Luc', key: 'jean-luc' },
      { written: '3.5', key: '3.5' },
      { written: 'a.m', key: 'a.m' },
    ]);
  });

  it('finds no words in punctuation', () => {
    assert.deepEqual(contextWords(' -- !? '), []);
  });
});

describe('contextPhrases', () => {
  it('takes terms as phrases, and sentences from text, general values and translation sources', () => {
    const phrases = contextPhrases({
      general: [{ key: 'doctor', value: 'Dr. Martha Smith' }],
      text: 'Mr. John Dashwood arrived. Was he kind?\nNo; not at all',
      terms: ['Celebrex', 'John Dashwood', ' ... '],
      translationTerms: [{ source: 'stroke', target: 'ictus' }],
    });
    assert.deepEqual(keys(phrases.terms), ['celebrex', 'john dashwood']);
    assert.deepEqual(keys(phrases.sentences), [
      'dr martha smith',
      'mr john dashwood arrived',
      'was he kind',
      'no',
      'not at all',
      'stroke',
    ]);
  });
});
