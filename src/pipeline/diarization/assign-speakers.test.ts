import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { speakersOfWords, withSpeakers } from './assign-speakers.js';

const turns = [
  { startMs: 0, endMs: 1000, speaker: '1' },
  { startMs: 1000, endMs: 3000, speaker: '2' },
  { startMs: 5000, endMs: 6000, speaker: '1' },
];

describe('speakersOfWords', () => {
  it('gives a word the speaker it overlaps most, never splitting it', () => {
    assert.deepEqual(
      speakersOfWords([{ startMs: 100, endMs: 400 }, { startMs: 800, endMs: 1300 }, { startMs: 900, endMs: 1050 }], turns),
      ['1', '2', '1'],
    );
  });

  it('gives a word outside every turn the nearest turn\'s speaker', () => {
    assert.deepEqual(
      speakersOfWords([{ startMs: 3100, endMs: 3300 }, { startMs: 4500, endMs: 4900 }, { startMs: 6500, endMs: 6600 }], turns),
      ['2', '1', '1'],
    );
  });

  it('labels a zero-length word inside a turn with that turn', () => {
    assert.deepEqual(speakersOfWords([{ startMs: 2000, endMs: 2000 }], turns), ['2']);
  });

  it('labels everything "1" when no speech was diarized', () => {
    assert.deepEqual(speakersOfWords([{ startMs: 0, endMs: 10 }], []), ['1']);
  });
});

describe('withSpeakers', () => {
  it('adds the speaker to each word, keeping its other fields', () => {
    assert.deepEqual(withSpeakers([{ word: 'hi', startMs: 1200, endMs: 1500, confidence: 0.9 }], turns), [
      { word: 'hi', startMs: 1200, endMs: 1500, confidence: 0.9, speaker: '2' },
    ]);
  });
});
