import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextWords } from './context-phrases.js';
import { TermSpelling } from './term-spelling.js';

const spelling = (...terms: string[]) => new TermSpelling(terms.map(contextWords));
const words = (text: string) => text.split(' ').map((word, i) => ({ word, startMs: i * 100 }));
const text = (list: { word: string }[]) => list.map((w) => w.word).join(' ');

describe('TermSpelling', () => {
  it('writes one-word terms as the term wherever they are recognised, keeping the other fields', () => {
    const out = spelling('HbA1c', 'Dashwood').apply(words('her hba1c and dashwood'));
    assert.equal(text(out), 'her HbA1c and Dashwood');
    assert.equal(out[1]!.startMs, 100);
  });

  it('writes a term of several words only where all its words follow each other', () => {
    assert.equal(text(spelling('Apple Watch').apply(words('an apple watch and a watch'))), 'an Apple Watch and a watch');
  });

  it('prefers the longest term', () => {
    const out = spelling('John', 'John Dashwood Junior', 'John Dashwood').apply(words('john dashwood said'));
    assert.equal(text(out), 'John Dashwood said');
  });

  it('changes nothing for lower-case terms or without terms', () => {
    assert.equal(text(spelling('metformin').apply(words('metformin daily'))), 'metformin daily');
    assert.equal(text(spelling().apply(words('a b'))), 'a b');
  });
});
