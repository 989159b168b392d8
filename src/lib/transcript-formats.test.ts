import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type WireTranscript, clockTime, formatTranscript } from './transcript-formats.js';

const transcript: WireTranscript = {
  id: 't1',
  text: 'He was here. Era aquí. Go <now>. Ve.',
  tokens: [
    { text: 'He', start_ms: 220, end_ms: 330, confidence: 0.9, speaker: '1', language: 'en', translation_status: 'original' },
    { text: ' was', start_ms: 330, end_ms: 550, confidence: 0.9, speaker: '1', language: 'en', translation_status: 'original' },
    { text: ' here', start_ms: 550, end_ms: 1060, confidence: 0.9, speaker: '1', language: 'en', translation_status: 'original' },
    { text: '.', start_ms: 1060, end_ms: 1060, confidence: 0.9, speaker: '1', language: 'en', translation_status: 'original' },
    { text: ' Era', confidence: 0.6, speaker: '1', language: 'es', translation_status: 'translation', source_language: 'en' },
    { text: ' aquí.', confidence: 0.6, speaker: '1', language: 'es', translation_status: 'translation', source_language: 'en' },
    { text: ' Go', start_ms: 3_600_100, end_ms: 3_600_150, confidence: 0.9, speaker: '2', language: 'en', translation_status: 'original' },
    { text: ' <now>.', start_ms: 3_600_150, end_ms: 3_600_400, confidence: 0.9, speaker: '2', language: 'en', translation_status: 'original' },
    { text: ' Ve.', confidence: 0.6, speaker: '2', language: 'es', translation_status: 'translation', source_language: 'en' },
  ],
};

describe('formatTranscript', () => {
  it('writes SubRip cues with speakers and translations, at least half a second long', () => {
    assert.equal(
      formatTranscript(transcript, 'srt'),
      [
        '1',
        '00:00:00,220 --> 00:00:01,060',
        '[Speaker 1] He was here.',
        'Era aquí.',
        '',
        '2',
        '01:00:00,100 --> 01:00:00,600',
        '[Speaker 2] Go <now>.',
        'Ve.',
        '',
      ].join('\n'),
    );
  });

  it('writes WebVTT with voice and language spans, escaped', () => {
    assert.equal(
      formatTranscript(transcript, 'vtt'),
      [
        'WEBVTT',
        '',
        '00:00:00.220 --> 00:00:01.060',
        '<v Speaker 1>He was here.',
        '<lang es>Era aquí.</lang>',
        '',
        '01:00:00.100 --> 01:00:00.600',
        '<v Speaker 2>Go &lt;now&gt;.',
        '<lang es>Ve.</lang>',
        '',
      ].join('\n'),
    );
  });

  it('writes plain text as speaker paragraphs with their translation', () => {
    assert.equal(
      formatTranscript(transcript, 'txt'),
      ['Speaker 1 (0:00)', 'He was here.', '[es] Era aquí.', '', 'Speaker 2 (1:00:00)', 'Go <now>.', '[es] Ve.', ''].join('\n'),
    );
  });

  it('writes plain text without speakers as one paragraph', () => {
    const plain: WireTranscript = {
      id: 't2',
      text: 'Hi. Bye.',
      tokens: [
        { text: 'Hi', start_ms: 0, end_ms: 200 },
        { text: '.', start_ms: 200, end_ms: 200 },
        { text: ' Bye', start_ms: 300, end_ms: 500 },
        { text: '.', start_ms: 500, end_ms: 500 },
      ],
    };
    assert.equal(formatTranscript(plain, 'txt'), 'Hi. Bye.\n');
  });

  it('writes the API transcript object as JSON', () => {
    assert.deepEqual(JSON.parse(formatTranscript(transcript, 'json')), transcript);
  });
});

describe('clockTime', () => {
  it('shows minutes and seconds, and hours when there are some', () => {
    assert.equal(clockTime(0), '0:00');
    assert.equal(clockTime(75_400), '1:15');
    assert.equal(clockTime(3_723_000), '1:02:03');
  });
});
