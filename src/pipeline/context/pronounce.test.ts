// Runs espeak-ng when it is installed (scripts/setup.mjs installs it); the
// fallback's own rules are tested in letter-to-sound.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ARPABET_PHONES } from './ipa-to-arpabet.js';
import { pronounce } from './pronounce.js';

const espeak = spawnSync('espeak-ng', ['--version']).status === 0;

describe('pronounce', () => {
  it('gives one pronunciation per word, in order, in the en-us phone set', () => {
    const words = ['Celebrex', 'HbA1c', "O'Brien", 'Jean-Luc', '2024', 'x'];
    const phones = pronounce(words);
    assert.equal(phones.length, words.length);
    for (const p of phones) assert.ok(p.length > 0 && p.every((phone) => ARPABET_PHONES.has(phone)), p.join(' '));
  });

  it('pronounces unknown words as espeak-ng does', { skip: !espeak && 'espeak-ng is not installed' }, () => {
    assert.deepEqual(pronounce(['Celebrex', 'Dashwood']), [
      ['S', 'EH', 'L', 'IH', 'B', 'R', 'EH', 'K', 'S'],
      ['D', 'AE', 'SH', 'W', 'UH', 'D'],
    ]);
  });

  it('needs no process for no words', () => {
    assert.deepEqual(pronounce([]), []);
  });
});
