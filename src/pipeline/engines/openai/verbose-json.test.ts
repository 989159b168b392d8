import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MalformedTranscriptionError, UNKNOWN_CONFIDENCE, fromVerboseJson } from './verbose-json.js';

describe('fromVerboseJson', () => {
  test('words: offset, in ms, probabilities kept, the language as its code', () => {
    const body = {
      task: 'transcribe', language: 'english', duration: 2.5, text: 'He was here.',
      words: [
        { word: ' He', start: 0.2, end: 0.33, probability: 0.9 },
        { word: 'was', start: 0.33, end: 0.55, probability: 0.8 },
        { word: ' here.', start: 0.6, end: 1.1, probability: 0.7 },
      ],
    };
    assert.deepEqual(fromVerboseJson(body, 1000, 2500), {
      words: [
        { word: 'He', startMs: 1200, endMs: 1330, confidence: 0.9 },
        { word: 'was', startMs: 1330, endMs: 1550, confidence: 0.8 },
        { word: 'here.', startMs: 1600, endMs: 2100, confidence: 0.7 },
      ],
      language: 'en',
    });
  });

  test('no word probability: the segment’s exp(avg_logprob), else a stand-in', () => {
    const body = {
      language: 'de',
      segments: [{ start: 0, end: 1, text: 'Hallo', avg_logprob: Math.log(0.5) }],
      words: [{ word: 'Hallo', start: 0.1, end: 0.5 }, { word: 'Welt', start: 1.5, end: 1.9 }],
    };
    const { words, language } = fromVerboseJson(body, 0, 3000);
    assert.equal(language, 'de');
    assert.ok(Math.abs(words[0]!.confidence - 0.5) < 1e-9);
    assert.equal(words[1]!.confidence, UNKNOWN_CONFIDENCE);
  });

  test('punctuation: quotes dropped, punctuation alone skipped, no comma on the last word', () => {
    const body = { words: [{ word: '"Well,', start: 0, end: 0.3 }, { word: '—', start: 0.3, end: 0.4 }, { word: 'yes,"', start: 0.4, end: 0.6 }] };
    assert.deepEqual(fromVerboseJson(body, 0, 1000).words.map((w) => w.word), ['Well,', 'yes']);
  });

  test('without word timestamps, a segment’s words share its time by length', () => {
    const body = { text: 'ab cd', segments: [{ start: 1, end: 2, text: ' ab cdef' }] };
    const { words } = fromVerboseJson(body, 0, 3000);
    assert.deepEqual(words.map((w) => [w.word, w.startMs, w.endMs]), [['ab', 1000, 1333], ['cdef', 1333, 2000]]);
  });

  test('times are bounded by the utterance and never go backwards; bad entries are skipped', () => {
    const body = {
      language: 'klingon',
      words: [
        { word: 'late', start: 5, end: 9 },
        { word: 'back', start: 0.1, end: 0.2 },
        { word: 'nan', start: Number.NaN, end: 1 },
        { word: 42, start: 0, end: 1 },
        'junk',
        { word: 'neg', start: -1, end: 0 },
      ],
    };
    const { words, language } = fromVerboseJson(body, 100, 2000);
    assert.equal(language, undefined);
    assert.deepEqual(words, [
      { word: 'late', startMs: 2100, endMs: 2100, confidence: UNKNOWN_CONFIDENCE },
      { word: 'back', startMs: 2100, endMs: 2100, confidence: UNKNOWN_CONFIDENCE },
    ]);
  });

  test('an answer that is no transcription is refused', () => {
    for (const body of [null, 'text', [], 42, { error: { message: 'x' } }]) {
      assert.throws(() => fromVerboseJson(body, 0, 1000), MalformedTranscriptionError, JSON.stringify(body));
    }
  });
});
