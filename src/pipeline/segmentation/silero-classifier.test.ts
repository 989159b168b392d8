import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { librivoxUtterances } from '../../../test/support/librivox.js';
import { FRAME_SAMPLES } from './frame-energy.js';
import { SileroClassifier } from './silero-classifier.js';
import { synth } from './synth.test-helper.js';
import { VoiceActivitySegmenter } from './voice-activity-segmenter.js';

/** Labels of every whole frame of `samples`, then flushed. */
function labels(samples: Int16Array): boolean[] {
  const classifier = new SileroClassifier();
  const out: boolean[] = [];
  for (let start = 0; start + FRAME_SAMPLES <= samples.length; start += FRAME_SAMPLES) {
    classifier.add(samples, start, 0, out);
  }
  classifier.flush(out);
  return out;
}

function sentence(index: number): Int16Array {
  const wav = readFileSync(librivoxUtterances()[index]!.wavPath).subarray(44);
  return new Int16Array(wav.buffer.slice(wav.byteOffset, wav.byteOffset + wav.length));
}

describe('SileroClassifier', () => {
  it('labels every frame once, in order: the frames of the last, unfinished window at the flush', () => {
    const speech = sentence(1);
    const whole = Math.floor(speech.length / FRAME_SAMPLES);
    const out = labels(speech);
    assert.equal(out.length, whole);
    // Frames straddling two windows, and the flush, change nothing but the timing of the labels.
    const classifier = new SileroClassifier();
    const streamed: boolean[] = [];
    const counts: number[] = [];
    for (let start = 0; start + FRAME_SAMPLES <= speech.length; start += FRAME_SAMPLES) {
      classifier.add(speech, start, 0, streamed);
      counts.push(streamed.length);
    }
    // Past the first 300 ms (the foreground gate's warm-up), labels lag by at most one 32 ms window.
    assert.ok(counts.every((n, i) => n <= i + 1 && (i < 30 || n >= i + 1 - 4)), 'lag');
    classifier.flush(streamed);
    assert.deepEqual(streamed, out);
  });

  it('hears speech in a LibriVox sentence and none in digital silence or low noise', () => {
    const out = labels(sentence(0));
    const share = out.filter(Boolean).length / out.length;
    assert.ok(share > 0.6 && share < 0.98, `speech in ${(share * 100).toFixed(0)}% of the sentence's frames`);
    assert.ok(!labels(new Int16Array(16_000)).some(Boolean), 'silence');
    assert.ok(!labels(synth([['noise', 1000, 200]])).some(Boolean), 'noise');
  });

  it('takes a loud steady tone for what it is, where the energy detector opens an utterance', () => {
    const tone = synth([['noise', 1000], ['tone', 2000, 8000], ['noise', 1000]]);
    const run = (detector: 'energy' | 'silero') => {
      const segmenter = new VoiceActivitySegmenter({ detector });
      return [...segmenter.push(tone), ...segmenter.end()].filter((e) => e.type === 'speech-start').length;
    };
    assert.equal(run('energy'), 1);
    assert.equal(run('silero'), 0);
  });
});

describe('VoiceActivitySegmenter with the Silero VAD', () => {
  it('splits two sentences at the pause between them, on any chunking', () => {
    const pause = new Int16Array(16_000);
    const first = sentence(1);
    const second = sentence(4);
    const audio = new Int16Array(first.length + pause.length + second.length);
    audio.set(first);
    audio.set(second, first.length + pause.length);
    const firstEndMs = first.length / 16;
    const secondStartMs = (first.length + pause.length) / 16;
    for (const chunk of [160, 333, 16_000]) {
      const segmenter = new VoiceActivitySegmenter({ detector: 'silero' });
      const events = [];
      for (let i = 0; i < audio.length; i += chunk) events.push(...segmenter.push(audio.subarray(i, i + chunk)));
      events.push(...segmenter.end());
      const ends = events.filter((e) => e.type === 'utterance-end');
      assert.equal(ends.length, 2, `chunk ${chunk}: ${JSON.stringify(events)}`);
      assert.equal(ends[0]!.reason, 'pause');
      assert.ok(ends[0]!.atMs <= secondStartMs && ends[0]!.atMs >= firstEndMs - 600, `first end at ${ends[0]!.atMs}`);
    }
  });
});
