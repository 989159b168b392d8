import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecognitionContext } from '../../context/recognition-context.js';
import { contextHotwords, MAX_HOTWORD_CHARS, MAX_HOTWORD_WORDS, MAX_HOTWORDS } from './hotwords.js';

const context = (c: Partial<RecognitionContext>): RecognitionContext => ({ general: [], text: '', terms: [], translationTerms: [], ...c });

describe('contextHotwords', () => {
  it('takes terms, then general values; not the free text, nor translation terms', () => {
    const c = context({
      terms: ['Celebrex', 'HbA1c'],
      general: [{ key: 'organization', value: 'Acme Health' }],
      text: 'The patient was seen on Monday.',
      translationTerms: [{ source: 'Monday', target: 'Montag' }],
    });
    assert.deepEqual(contextHotwords(c, false), ['Celebrex', 'HbA1c', 'Acme Health']);
    assert.deepEqual(contextHotwords(null, false), []);
  });

  it('removes sherpa’s own syntax (/ separates phrases, : starts a boost score) and line breaks', () => {
    assert.deepEqual(contextHotwords(context({ terms: ['AC/DC', 'ratio :2.0', 'two\nlines', '  spaced   out '] }), false), ['AC DC', 'ratio 2.0', 'two lines', 'spaced out']);
  });

  it('leaves out empty, too long and too many-worded phrases, and duplicates whatever their case', () => {
    const long = 'x'.repeat(MAX_HOTWORD_CHARS + 1);
    const wordy = Array.from({ length: MAX_HOTWORD_WORDS + 1 }, (_, i) => `w${i}`).join(' ');
    assert.deepEqual(contextHotwords(context({ terms: ['', ' / ', long, wordy, 'Acme', 'ACME', 'acme'] }), false), ['Acme']);
  });

  it('writes capitals for models that only know capitals', () => {
    assert.deepEqual(contextHotwords(context({ terms: ['Celebrex'] }), true), ['CELEBREX']);
  });

  it('keeps the first MAX_HOTWORDS phrases', () => {
    const terms = Array.from({ length: MAX_HOTWORDS + 50 }, (_, i) => `term${i}`);
    const phrases = contextHotwords(context({ terms }), false);
    assert.equal(phrases.length, MAX_HOTWORDS);
    assert.equal(phrases.at(-1), `term${MAX_HOTWORDS - 1}`);
  });

  it('on any context: bounded phrases without separators, boost marks or line breaks (property)', async () => {
    const { default: fc } = await import('fast-check');
    const { FUZZ_SEED } = await import('../../../../test/support/fuzz.js');
    const text = fc.string({ maxLength: 80, unit: fc.constantFrom('a', 'B', ' ', '/', ':', '\n', '\t', 'é', '你', '1') });
    const arbitrary = fc.record({
      terms: fc.array(text, { maxLength: 150 }),
      general: fc.array(fc.record({ key: text, value: text }), { maxLength: 20 }),
      text,
      translationTerms: fc.constant<{ source: string; target: string }[]>([]),
    });
    fc.assert(
      fc.property(arbitrary, fc.boolean(), (c, capitals) => {
        const phrases = contextHotwords(c, capitals);
        assert.ok(phrases.length <= MAX_HOTWORDS);
        assert.equal(new Set(phrases.map((p) => p.toLowerCase())).size, phrases.length);
        for (const p of phrases) {
          assert.ok(p.length > 0 && p.length <= MAX_HOTWORD_CHARS && p.split(' ').length <= MAX_HOTWORD_WORDS, JSON.stringify(p));
          assert.ok(!/[/:\r\n\t]|^ | $|  /.test(p), JSON.stringify(p));
        }
      }),
      { seed: FUZZ_SEED, numRuns: 500 },
    );
  });
});
