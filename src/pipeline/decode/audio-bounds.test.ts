import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, audioBoundsProblem } from './audio-bounds.js';

describe('audioBoundsProblem', () => {
  it('accepts 8 kHz telephony to 192 kHz studio audio, 1 to 32 channels', () => {
    for (const rate of [MIN_SAMPLE_RATE, 11_025, 16_000, 44_100, 48_000, 96_000, MAX_SAMPLE_RATE]) {
      for (const channels of [1, 2, 6, MAX_CHANNELS]) assert.equal(audioBoundsProblem(rate, channels), null, `${rate} Hz, ${channels} channels`);
    }
  });

  it('names what is out of range in plain words', () => {
    assert.equal(audioBoundsProblem(1, 1), 'the sample rate of 1 Hz is outside the supported range (8000 to 192000 Hz)');
    for (const rate of [0, 100, 7999, 192_001, 384_000, 8000.5]) assert.match(audioBoundsProblem(rate, 1)!, /sample rate/);
    assert.equal(audioBoundsProblem(16_000, 33), '33 channels is outside the supported range (1 to 32)');
    assert.match(audioBoundsProblem(16_000, 0)!, /channels/);
  });

  it('lets undeclared values pass', () => {
    assert.equal(audioBoundsProblem(null, null), null);
    assert.match(audioBoundsProblem(null, 100)!, /channels/);
  });
});
