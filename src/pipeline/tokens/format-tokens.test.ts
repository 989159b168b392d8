import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecognizedWord } from '../engines/speech-engine.js';
import { INITIAL_TRANSCRIPT_STATE, casedWord, formatUtterance, wordsToTokens } from './format-tokens.js';

/** Words 100 ms apart, each 80 ms long, starting at `startMs`. */
function words(text: string, startMs = 0, confidence = 0.9): RecognizedWord[] {
  return text.split(' ').map((word, i) => ({
    word,
    startMs: startMs + i * 100,
    endMs: startMs + i * 100 + 80,
    confidence,
  }));
}

const joined = (tokens: { text: string }[]) => tokens.map((t) => t.text).join('');

describe('casedWord', () => {
  it('capitalises the first word of a sentence', () => {
    assert.equal(casedWord('he', true), 'He');
    assert.equal(casedWord('he', false), 'he');
  });

  it('always capitalises the pronoun I and its contractions', () => {
    for (const [word, expected] of [
      ['i', 'I'],
      ["i'm", "I'm"],
      ["i'll", "I'll"],
      ["i've", "I've"],
      ["i'd", "I'd"],
    ] as const) {
      assert.equal(casedWord(word, false), expected);
    }
  });

  it('leaves words that merely start with i alone', () => {
    assert.equal(casedWord('in', false), 'in');
    assert.equal(casedWord('ill', false), 'ill');
  });

  it('writes titles with their capital and full stop', () => {
    assert.equal(casedWord('mr', false), 'Mr.');
    assert.equal(casedWord('mrs', true), 'Mrs.');
    assert.equal(casedWord('ms', false), 'Ms.');
    assert.equal(casedWord('dr', false), 'dr');
    const { tokens } = formatUtterance({ words: words('ask mr'), endsSentence: true }, INITIAL_TRANSCRIPT_STATE);
    assert.equal(joined(tokens), 'Ask Mr.');
  });

  it('keeps the spelling of context terms, which carry their capitals, even opening a sentence', () => {
    assert.equal(casedWord('iPhone', true), 'iPhone');
    assert.equal(casedWord('HbA1c', false), 'HbA1c');
    assert.equal(casedWord('Dashwood', false), 'Dashwood');
  });
});

describe('formatUtterance', () => {
  it('gives the first token no leading space and later words one', () => {
    const { tokens } = formatUtterance({ words: words('he was here'), endsSentence: false }, INITIAL_TRANSCRIPT_STATE);
    assert.deepEqual(
      tokens.map((t) => t.text),
      ['He', ' was', ' here'],
    );
  });

  it('ends a sentence with a separate "." token at the last word end', () => {
    const { tokens, state } = formatUtterance(
      { words: words('he was here', 1000, 0.7), endsSentence: true },
      INITIAL_TRANSCRIPT_STATE,
    );
    assert.deepEqual(tokens.at(-1), { text: '.', startMs: 1280, endMs: 1280, confidence: 0.7 });
    assert.deepEqual(state, { atStart: false, sentenceStart: true });
  });

  it('keeps word timings and confidences', () => {
    const { tokens } = formatUtterance({ words: words('hello', 500, 0.42), endsSentence: false }, INITIAL_TRANSCRIPT_STATE);
    assert.deepEqual(tokens, [{ text: 'Hello', startMs: 500, endMs: 580, confidence: 0.42 }]);
  });

  it('does not add a period after a word that already ends with one', () => {
    const { tokens } = formatUtterance({ words: words('at ten a.m.'), endsSentence: true }, INITIAL_TRANSCRIPT_STATE);
    assert.equal(joined(tokens), 'At ten a.m.');
  });

  it('returns the state unchanged for an utterance without words', () => {
    const state = { atStart: false, sentenceStart: false };
    assert.deepEqual(formatUtterance({ words: [], endsSentence: true }, state), { tokens: [], state });
  });

  it("gives each token its word's speaker, and the final period the last word's", () => {
    const labelled = words('yes no').map((w, i) => ({ ...w, speaker: String(i + 1) }));
    const { tokens } = formatUtterance({ words: labelled, endsSentence: true }, INITIAL_TRANSCRIPT_STATE);
    assert.deepEqual(tokens.map((t) => [t.text, t.speaker]), [['Yes', '1'], [' no', '2'], ['.', '2']]);
    const unlabelled = formatUtterance({ words: words('yes'), endsSentence: true }, INITIAL_TRANSCRIPT_STATE).tokens;
    assert.ok(unlabelled.every((t) => !('speaker' in t)), 'no speaker key without diarization');
  });
});

describe('wordsToTokens', () => {
  it('joins utterances into a readable transcript', () => {
    const tokens = wordsToTokens([
      { words: words('he was not an ill disposed young man'), endsSentence: true },
      { words: words('i think i will go', 5000), endsSentence: false },
      { words: words('to the house', 25000), endsSentence: true },
    ]);
    assert.equal(joined(tokens), 'He was not an ill disposed young man. I think I will go to the house.');
  });

  it('skips empty utterances without breaking spacing', () => {
    const tokens = wordsToTokens([
      { words: [], endsSentence: true },
      { words: words('hello'), endsSentence: true },
      { words: [], endsSentence: true },
      { words: words('world', 1000), endsSentence: true },
    ]);
    assert.equal(joined(tokens), 'Hello. World.');
  });

  it('returns no tokens for no words', () => {
    assert.deepEqual(wordsToTokens([]), []);
  });
});
