import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type WireToken, segmentTranscript, speakerTurns } from './transcript-segments.js';

/** Spoken tokens, one per word, 300 ms each from `startMs`; "." and "?" are tokens of their own; words after the first of the transcript get a leading space. */
function spoken(words: string, startMs: number, extra: Partial<WireToken> = {}): WireToken[] {
  let t = startMs;
  return words.split(' ').map((word, i) => {
    const punctuation = word === '.' || word === '?';
    const token = { text: punctuation || (i === 0 && startMs === 0) ? word : ` ${word}`, start_ms: t, end_ms: punctuation ? t : t + 300, ...extra };
    if (!punctuation) t += 300;
    return token;
  });
}

function translated(words: string, language: string, extra: Partial<WireToken> = {}): WireToken[] {
  return words.split(' ').map((word) => ({ text: ` ${word}`, language, translation_status: 'translation' as const, ...extra }));
}

describe('segmentTranscript', () => {
  it('cuts at sentence ends and keeps times and text', () => {
    const segments = segmentTranscript([...spoken('He was here .', 0), ...spoken('She was not .', 900)]);
    assert.deepEqual(
      segments.map((s) => [s.text, s.startMs, s.endMs]),
      [
        ['He was here.', 0, 900],
        ['She was not.', 900, 1800],
      ],
    );
  });

  it('cuts at a speaker change and at a long pause', () => {
    const tokens = [...spoken('one two', 0, { speaker: '1' }), ...spoken('three', 600, { speaker: '2' }), ...spoken('four', 5000, { speaker: '2' })];
    assert.deepEqual(
      segmentTranscript(tokens).map((s) => [s.speaker, s.text]),
      [
        ['1', 'one two'],
        ['2', 'three'],
        ['2', 'four'],
      ],
    );
  });

  it('gives each run of speech the translation that follows it', () => {
    const tokens = [
      ...spoken('He was here .', 0, { language: 'en', translation_status: 'original' }),
      ...translated('Era aquí.', 'es', { source_language: 'en' }),
      ...spoken('Go .', 1000, { language: 'en', translation_status: 'original' }),
      ...translated('Ve.', 'es', { source_language: 'en' }),
    ];
    assert.deepEqual(
      segmentTranscript(tokens).map((s) => [s.text, s.language, s.translation]),
      [
        ['He was here.', 'en', { language: 'es', text: 'Era aquí.' }],
        ['Go.', 'en', { language: 'es', text: 'Ve.' }],
      ],
    );
  });

  it('merges mid-sentence translation chunks back into one segment', () => {
    const tokens = [
      ...spoken('thank you', 0, { language: 'en', translation_status: 'original' }),
      ...translated('merci', 'fr'),
      ...spoken('for coming .', 600, { language: 'en', translation_status: 'original' }),
      ...translated("d'être venus.", 'fr'),
    ];
    const segments = segmentTranscript(tokens);
    assert.equal(segments.length, 1);
    assert.equal(segments[0]!.text, 'thank you for coming.');
    assert.deepEqual(segments[0]!.translation, { language: 'fr', text: "merci d'être venus." });
  });

  it('splits long untranslated speech at word boundaries', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const segments = segmentTranscript(spoken(words, 0), { maxDurationMs: 3000, maxChars: 1000 });
    assert.ok(segments.length >= 4);
    for (const s of segments) assert.ok(s.endMs - s.startMs <= 3000, `${s.startMs}-${s.endMs}`);
    assert.equal(segments.map((s) => s.text).join(' '), words);
  });

  it('ignores real-time markers', () => {
    const tokens = [...spoken('Hi', 0), { text: '<end>', is_final: true }, ...spoken('there', 400)];
    assert.deepEqual(
      segmentTranscript(tokens).map((s) => s.text),
      ['Hi', 'there'],
    );
  });

  it('reads a REST transcript, where speaker, language, is_audio_event and translation_status are null when they do not apply, as one without them', () => {
    const nulls = { speaker: null, language: null, is_audio_event: null, translation_status: null } as Partial<WireToken>;
    const tokens = [...spoken('He was here .', 0, nulls), ...spoken('She was not .', 900, nulls)];
    const plain = [...spoken('He was here .', 0), ...spoken('She was not .', 900)];
    const shape = (segments: ReturnType<typeof segmentTranscript>) => segments.map((s) => [s.speaker, s.language, s.text, s.startMs, s.endMs, s.translation]);
    assert.deepEqual(shape(segmentTranscript(tokens)), shape(segmentTranscript(plain)));
    assert.deepEqual(speakerTurns(segmentTranscript(tokens)).length, 1);
  });
});

describe('speakerTurns', () => {
  it('groups consecutive segments of one speaker', () => {
    const tokens = [...spoken('a .', 0, { speaker: '1' }), ...spoken('b .', 400, { speaker: '1' }), ...spoken('c .', 800, { speaker: '2' })];
    assert.deepEqual(
      speakerTurns(segmentTranscript(tokens)).map((turn) => turn.map((s) => s.text)),
      [['a.', 'b.'], ['c.']],
    );
  });
});
