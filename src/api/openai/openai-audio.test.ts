import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../errors.js';
import { parseAudioFields } from './audio-request.js';
import { formatAudioResponse } from './audio-responses.js';

const limits = { languages: ['en', 'de'], maxPromptChars: 10 };
const fields = (entries: Record<string, string | string[]>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));

describe('parseAudioFields', () => {
  test('defaults: json, no language, no prompt, no granularity', () => {
    assert.deepEqual(parseAudioFields(fields({ model: 'whisper-1' }), limits), {
      model: 'whisper-1', language: null, prompt: null, responseFormat: 'json', timestampGranularities: [],
    });
  });

  test('every field read; temperature accepted and ignored', () => {
    const parsed = parseAudioFields(
      fields({ model: 'stt-async-v4', language: 'de', prompt: 'HbA1c', response_format: 'verbose_json', 'timestamp_granularities[]': ['word', 'segment', 'word'], temperature: '0.2' }),
      limits,
    );
    assert.deepEqual(parsed, { model: 'stt-async-v4', language: 'de', prompt: 'HbA1c', responseFormat: 'verbose_json', timestampGranularities: ['word', 'segment'] });
  });

  test('each bad field is refused with 400 naming it', () => {
    const cases: [Record<string, string | string[]>, string][] = [
      [{}, 'model'],
      [{ model: 'gpt-5' }, 'model'],
      [{ model: ['whisper-1', 'whisper-1'] }, 'model'],
      [{ model: 'whisper-1', language: 'fr' }, 'language'],
      [{ model: 'whisper-1', prompt: 'x'.repeat(11) }, 'prompt'],
      [{ model: 'whisper-1', response_format: 'xml' }, 'response_format'],
      [{ model: 'whisper-1', 'timestamp_granularities[]': 'char' }, 'timestamp_granularities[]'],
      [{ model: 'whisper-1', temperature: 'hot' }, 'temperature'],
      [{ model: 'whisper-1', temperature: '2' }, 'temperature'],
    ];
    for (const [input, param] of cases) {
      assert.throws(() => parseAudioFields(fields(input), limits), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.statusCode, 400);
        assert.equal(err.validationErrors[0]!.location, param);
        return true;
      }, JSON.stringify(input));
    }
  });
});

describe('formatAudioResponse', () => {
  const tokens = [
    { text: 'He', start_ms: 220, end_ms: 330, confidence: 0.9 },
    { text: ' was', start_ms: 330, end_ms: 550, confidence: 0.8 },
    { text: ' Mr', start_ms: 600, end_ms: 900, confidence: 0.7 },
    { text: ' Smith', start_ms: 900, end_ms: 1300, confidence: 0.6 },
    { text: '.', start_ms: 1300, end_ms: 1300, confidence: 0.6 },
  ];
  const transcript = { tokens, audioDurationMs: 2990, language: 'en' };

  test('json and text', () => {
    assert.deepEqual(JSON.parse(formatAudioResponse(transcript, 'json', []).body), { text: 'He was Mr Smith.', usage: { type: 'duration', seconds: 3 } });
    assert.deepEqual(formatAudioResponse(transcript, 'text', []), { contentType: 'text/plain; charset=utf-8', body: 'He was Mr Smith.\n' });
  });

  test('srt and vtt cues', () => {
    assert.equal(formatAudioResponse(transcript, 'srt', []).body, '1\n00:00:00,220 --> 00:00:01,300\nHe was Mr Smith.\n');
    assert.match(formatAudioResponse(transcript, 'vtt', []).body, /^WEBVTT\n\n00:00:00\.220 --> 00:00:01\.300\nHe was Mr Smith\.\n/);
  });

  test('verbose_json: segments by default, words (without punctuation tokens) when asked', () => {
    const plain = JSON.parse(formatAudioResponse(transcript, 'verbose_json', []).body);
    assert.equal(plain.task, 'transcribe');
    assert.equal(plain.language, 'english');
    assert.equal(plain.duration, 2.99);
    assert.equal(plain.segments.length, 1);
    assert.deepEqual([plain.segments[0].start, plain.segments[0].end, plain.segments[0].text], [0.22, 1.3, ' He was Mr Smith.']);
    assert.equal(plain.words, undefined);
    const words = JSON.parse(formatAudioResponse(transcript, 'verbose_json', ['word']).body);
    assert.equal(words.segments, undefined);
    assert.deepEqual(words.words, [
      { word: 'He', start: 0.22, end: 0.33, probability: 0.9 },
      { word: 'was', start: 0.33, end: 0.55, probability: 0.8 },
      { word: 'Mr', start: 0.6, end: 0.9, probability: 0.7 },
      { word: 'Smith', start: 0.9, end: 1.3, probability: 0.6 },
    ]);
  });
});
