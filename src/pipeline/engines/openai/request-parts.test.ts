import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sniffWav } from '../../decode/wav-header.js';
import { MAX_PROMPT_CHARS, contextPrompt } from './prompt.js';
import { encodeWav } from './wav.js';

describe('contextPrompt', () => {
  test('terms first, then general, then text; nothing without context', () => {
    const context = { terms: ['HbA1c', ' Dr. Bose '], general: [{ key: 'domain', value: 'medicine' }], text: 'A diabetes clinic.', translationTerms: [] };
    assert.equal(contextPrompt(context), 'HbA1c, Dr. Bose. domain: medicine. A diabetes clinic.');
    assert.equal(contextPrompt(null), null);
    assert.equal(contextPrompt({ terms: [' '], general: [], text: '  ', translationTerms: [] }), null);
  });

  test('bounded, cut between code points', () => {
    const prompt = contextPrompt({ terms: [], general: [], text: '😀'.repeat(MAX_PROMPT_CHARS + 50), translationTerms: [] })!;
    assert.equal(Array.from(prompt).length, MAX_PROMPT_CHARS);
    assert.ok(!/[\uD800-\uDFFF]$/.test(prompt.slice(-1)) || /[\uD800-\uDBFF][\uDC00-\uDFFF]$/.test(prompt), 'no half of a surrogate pair');
  });
});

describe('encodeWav', () => {
  test('a canonical 16 kHz mono s16le file with the samples little-endian', () => {
    const wav = encodeWav(Int16Array.from([1, -2, 32767]));
    assert.equal(wav.byteLength, 44 + 6);
    const sniffed = sniffWav(wav);
    assert.equal(sniffed.kind, 'pcm');
    assert.deepEqual(sniffed.kind === 'pcm' && [sniffed.sampleRate, sniffed.channels, sniffed.dataOffset, sniffed.dataBytes, sniffed.format.bytesPerSample], [16_000, 1, 44, 6, 2]);
    const view = new DataView(wav.buffer);
    assert.deepEqual([view.getInt16(44, true), view.getInt16(46, true), view.getInt16(48, true)], [1, -2, 32767]);
    assert.equal(view.getUint32(24, true), 16_000);
    assert.equal(view.getUint32(40, true), 6);
  });
});
