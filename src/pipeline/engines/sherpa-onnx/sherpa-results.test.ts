import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TOKEN_MS, NO_PROBABILITY_CONFIDENCE, resultLanguage, toPartialWords, toRecognizedWords } from './sherpa-results.js';

describe('toRecognizedWords', () => {
  it('joins sub-word tokens into words at leading spaces, offset into the stream', () => {
    const words = toRecognizedWords({ tokens: [' low', ' high', 'er'], timestamps: [0.52, 1.44, 1.76] }, 10_000, 12_600);
    assert.deepEqual(words, [
      { word: 'low', startMs: 10_520, endMs: 10_520 + MAX_TOKEN_MS, confidence: NO_PROBABILITY_CONFIDENCE },
      { word: 'higher', startMs: 11_440, endMs: 11_760 + MAX_TOKEN_MS, confidence: NO_PROBABILITY_CONFIDENCE },
    ]);
  });

  it('ends a token where the next starts, and the last one no later than the audio', () => {
    const words = toRecognizedWords({ tokens: ['▁the', '▁cat'], timestamps: [0.1, 0.3] }, 0, 500);
    assert.deepEqual(words.map((w) => [w.startMs, w.endMs]), [[100, 300], [300, 500]]);
  });

  it('uses token durations when the model gives them (TDT)', () => {
    const words = toRecognizedWords({ tokens: [' yes'], timestamps: [0.2], durations: [0.16] }, 0, 2_000);
    assert.deepEqual(words.map((w) => [w.startMs, w.endMs]), [[200, 360]]);
  });

  it('turns per-token log probabilities into a word confidence (their product)', () => {
    const [word] = toRecognizedWords({ tokens: [' high', 'er'], timestamps: [0, 0.1], ys_probs: [Math.log(0.9), Math.log(0.5)] }, 0, 1_000);
    assert.ok(Math.abs(word!.confidence - 0.45) < 1e-9);
    const [offline] = toRecognizedWords({ tokens: [' no'], timestamps: [0], ys_log_probs: [Math.log(0.25)] }, 0, 1_000);
    assert.ok(Math.abs(offline!.confidence - 0.25) < 1e-9);
  });

  it('lower-cases models that write only capitals, and keeps the case of those that write case', () => {
    assert.deepEqual(toRecognizedWords({ tokens: ['▁HE', 'LLO', "▁I'M"], timestamps: [0, 0.1, 0.3] }, 0, 1_000).map((w) => w.word), ['hello', "i'm"]);
    assert.deepEqual(toRecognizedWords({ tokens: [' Hello', ' NASA'], timestamps: [0, 0.3] }, 0, 1_000).map((w) => w.word), ['Hello', 'NASA']);
  });

  it('makes each CJK character a word and attaches punctuation to the word before', () => {
    const words = toRecognizedWords({ tokens: ['你', '好', '，', ' ok', '.'], timestamps: [0, 0.1, 0.2, 0.3, 0.4] }, 0, 1_000);
    assert.deepEqual(words.map((w) => w.word), ['你', '好，', 'ok.']);
  });

  it('drops byte-fallback and empty tokens', () => {
    assert.deepEqual(toRecognizedWords({ tokens: ['<0x0A>', ' ', ' a'], timestamps: [0, 0.1, 0.2] }, 0, 1_000).map((w) => w.word), ['a']);
  });
});

describe('toPartialWords', () => {
  it('gives the same words without confidences', () => {
    assert.deepEqual(toPartialWords({ tokens: [' low'], timestamps: [0.52] }, 0, 700), [{ word: 'low', startMs: 520, endMs: 700 }]);
  });
});

describe('resultLanguage', () => {
  it('reads SenseVoice and Whisper language fields', () => {
    assert.equal(resultLanguage({ tokens: [], timestamps: [], lang: '<|en|>' }), 'en');
    assert.equal(resultLanguage({ tokens: [], timestamps: [], lang: 'de' }), 'de');
    assert.equal(resultLanguage({ tokens: [], timestamps: [], lang: '' }), null);
    assert.equal(resultLanguage({ tokens: [], timestamps: [], lang: '<|nospeech|>' }), null);
  });
});

describe('toRecognizedWords on arbitrary results (property)', () => {
  it('keeps every word inside the audio, in order, non-empty, with a confidence in 0..1', async () => {
    const { default: fc } = await import('fast-check');
    const { FUZZ_SEED } = await import('../../../../test/support/fuzz.js');
    const token = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(' a', '▁b', 'c', '，', '你', '<0x0A>', ' ', ''));
    const result = fc.integer({ min: 0, max: 12 }).chain((n) =>
      fc.record({
        tokens: fc.array(token, { minLength: n, maxLength: n }),
        timestamps: fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: n, maxLength: n }).map((t) => t.sort((a, b) => a - b)),
        ys_probs: fc.array(fc.double({ min: -20, max: 0, noNaN: true }), { maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(result, fc.integer({ min: 0, max: 100_000 }), (r, offsetMs) => {
        const endMs = offsetMs + 10_000;
        let previous = offsetMs;
        for (const w of toRecognizedWords(r, offsetMs, endMs)) {
          assert.ok(w.word.length > 0 && w.word.trim() === w.word, JSON.stringify(w));
          assert.ok(w.startMs >= previous && w.endMs > w.startMs && w.endMs <= endMs + 1, JSON.stringify(w));
          assert.ok(w.confidence >= 0 && w.confidence <= 1);
          previous = w.startMs;
        }
      }),
      { seed: FUZZ_SEED, numRuns: 500 },
    );
  });
});
