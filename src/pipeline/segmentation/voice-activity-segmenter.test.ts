import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SegmenterEvent, VoiceActivitySegmenter } from './voice-activity-segmenter.js';
import { NoiseFloor } from './noise-floor.js';
import { frameEnergyDb } from './frame-energy.js';
import { synth } from './synth.test-helper.js';

function run(samples: Int16Array, chunkSize = 4000, options = {}): SegmenterEvent[] {
  const segmenter = new VoiceActivitySegmenter(options);
  const events: SegmenterEvent[] = [];
  for (let i = 0; i < samples.length; i += chunkSize) {
    events.push(...segmenter.push(samples.subarray(i, i + chunkSize)));
  }
  events.push(...segmenter.end());
  return events;
}

describe('frameEnergyDb', () => {
  it('is 0 dB for digital silence and about 87 dB for a full-scale sine', () => {
    assert.equal(frameEnergyDb(new Int16Array(160), 0, 160), 0);
    const sine = synth([['tone', 10, 32767]]);
    assert.ok(Math.abs(frameEnergyDb(sine, 0, 160) - 87) < 0.5);
  });
});

describe('NoiseFloor', () => {
  it('is a low percentile of the window, robust to a single dropout', () => {
    const floor = new NoiseFloor(100, 0.1);
    for (let i = 0; i < 99; i++) floor.add(40 + (i % 20));
    floor.add(0);
    assert.ok(floor.valueDb >= 40 && floor.valueDb <= 42, `floor ${floor.valueDb}`);
  });

  it('follows a change of background level once the window has moved on', () => {
    const floor = new NoiseFloor(50, 0.1);
    for (let i = 0; i < 50; i++) floor.add(20);
    for (let i = 0; i < 50; i++) floor.add(45);
    assert.equal(floor.valueDb, 45);
  });
});

describe('VoiceActivitySegmenter', () => {
  it('reports nothing for silence', () => {
    assert.deepEqual(run(synth([['noise', 3000]])), []);
  });

  it('brackets each burst of speech with padding and splits at a long pause', () => {
    const events = run(synth([['noise', 1000], ['speech', 1500], ['noise', 1000], ['speech', 800], ['noise', 1000]]));
    assert.deepEqual(events, [
      { type: 'speech-start', atMs: 800 },
      { type: 'utterance-end', atMs: 2700, reason: 'pause' },
      { type: 'speech-start', atMs: 3300 },
      { type: 'utterance-end', atMs: 4500, reason: 'pause' },
    ]);
  });

  it('does not split at a pause shorter than minPauseMs', () => {
    const events = run(synth([['noise', 1000], ['speech', 1000], ['noise', 300], ['speech', 1000], ['noise', 1000]]));
    assert.deepEqual(
      events.map((e) => e.type),
      ['speech-start', 'utterance-end'],
    );
  });

  it('ignores clicks shorter than minSpeechMs', () => {
    assert.deepEqual(run(synth([['noise', 1000], ['speech', 20], ['noise', 1000]])), []);
  });

  it('catches speech from the very first sample', () => {
    const events = run(synth([['speech', 1000], ['noise', 1000]]));
    assert.deepEqual(events[0], { type: 'speech-start', atMs: 0 });
  });

  it('closes an utterance still open at the end of the audio', () => {
    const events = run(synth([['noise', 1000], ['speech', 1000]]));
    assert.deepEqual(events.at(-1), { type: 'utterance-end', atMs: 2000, reason: 'end-of-audio' });
  });

  it('adapts to loud background noise', () => {
    // Noise at ~55 dB would pass any fixed threshold near silence; speech is 20 dB above it.
    const events = run(synth([['noise', 2000, 1000], ['speech', 1000, 10000], ['noise', 2000, 1000]]));
    assert.deepEqual(events, [
      { type: 'speech-start', atMs: 1800 },
      { type: 'utterance-end', atMs: 3200, reason: 'pause' },
    ]);
  });

  it('cuts speech without pauses at its quietest point, within the maximum length', () => {
    // 25 s of speech with a quieter 200 ms at 16 s, too short to be a pause: cut there.
    const events = run(
      synth([['speech', 16_000], ['tone', 200, 200], ['speech', 8800]]),
      4000,
      { maxUtteranceMs: 20_000 },
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['speech-start', 'utterance-end', 'speech-start', 'utterance-end'],
    );
    const [start, cut, restart, end] = events;
    assert.deepEqual(start, { type: 'speech-start', atMs: 0 });
    assert.ok(cut?.type === 'utterance-end' && cut.reason === 'max-length');
    assert.ok(cut.atMs >= 16_000 && cut.atMs <= 16_200, `cut at ${cut.atMs}`);
    assert.deepEqual(restart, { type: 'speech-start', atMs: cut.atMs });
    assert.deepEqual(end, { type: 'utterance-end', atMs: 25_000, reason: 'end-of-audio' });
  });

  it('treats a steady sound as background, not speech', () => {
    assert.deepEqual(run(synth([['tone', 8000]])), []);
  });

  it('never lets an utterance exceed the maximum length', () => {
    const events = run(synth([['speech', 65_000]]), 4000, { maxUtteranceMs: 10_000 });
    let start = 0;
    for (const event of events) {
      if (event.type === 'speech-start') start = event.atMs;
      else assert.ok(event.atMs - start <= 10_000, `utterance ${start}..${event.atMs}`);
    }
    assert.ok(events.filter((e) => e.type === 'utterance-end').length >= 7);
  });

  it('gives the same events whatever the chunk sizes', () => {
    const samples = synth([['noise', 700], ['speech', 1234], ['noise', 611], ['speech', 900], ['noise', 50]]);
    const expected = run(samples, 16_000);
    assert.ok(expected.length === 4);
    for (const size of [1, 159, 161, 4096]) assert.deepEqual(run(samples, size), expected, `chunk size ${size}`);
  });

  it('cuts an open utterance on request, and opens a new one if speech goes on', () => {
    const segmenter = new VoiceActivitySegmenter();
    const events = [...segmenter.push(synth([['noise', 1000], ['speech', 1000]]))];
    events.push(...segmenter.cut());
    assert.deepEqual(events, [
      { type: 'speech-start', atMs: 800 },
      { type: 'utterance-end', atMs: 2000, reason: 'cut' },
    ]);
    assert.equal(segmenter.retainFromMs(), 2000);
    events.push(...segmenter.push(synth([['speech', 500], ['noise', 1000]])), ...segmenter.end());
    assert.deepEqual(events.slice(2), [
      { type: 'speech-start', atMs: 2000 },
      { type: 'utterance-end', atMs: 2700, reason: 'pause' },
    ]);
    assert.deepEqual(new VoiceActivitySegmenter().cut(), [], 'nothing to cut');
  });

  it('says which audio must be kept for future events', () => {
    const segmenter = new VoiceActivitySegmenter();
    segmenter.push(synth([['noise', 2000]]));
    assert.equal(segmenter.retainFromMs(), 1800);
    segmenter.push(synth([['speech', 1000]]));
    assert.equal(segmenter.retainFromMs(), 1800);
    segmenter.push(synth([['noise', 1000]]));
    assert.equal(segmenter.retainFromMs(), 3800);
  });

  it('rejects contradictory options', () => {
    assert.throws(() => new VoiceActivitySegmenter({ paddingMs: 600, minPauseMs: 500 }), RangeError);
    assert.throws(() => new VoiceActivitySegmenter({ maxUtteranceMs: 500 }), RangeError);
  });
});
