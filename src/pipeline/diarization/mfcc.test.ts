import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAME_MS, MFCC_DIM, MfccExtractor } from './mfcc.js';

/** `ms` of a tone (plus a fainter second harmonic) at 16 kHz. */
function tone(hz: number, ms: number, amplitude = 3000): Int16Array {
  return Int16Array.from({ length: ms * 16 }, (_, i) =>
    Math.round(amplitude * (Math.sin((2 * Math.PI * hz * i) / 16000) + 0.3 * Math.sin((4 * Math.PI * hz * i) / 16000))),
  );
}

const distance = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, i) => v - b[i]!));
const frame = (coefficients: Float32Array, i: number) => coefficients.subarray(i * MFCC_DIM, (i + 1) * MFCC_DIM);

describe('MfccExtractor', () => {
  it('emits one frame per 10 ms hop once a 25 ms window is full, timed from its start', () => {
    const frames = new MfccExtractor(1000).push(tone(300, 1000));
    assert.equal(frames.count, Math.floor((16000 - 400) / 160) + 1);
    assert.equal(frames.startMs, 1000);
    assert.equal(frames.coefficients.length, frames.count * MFCC_DIM);
    assert.equal(FRAME_MS, 10);
  });

  it('gives the same frames whatever the chunking of the audio', () => {
    const audio = tone(440, 500);
    const whole = new MfccExtractor().push(audio);
    const chunked = new MfccExtractor();
    const parts = [audio.subarray(0, 123), audio.subarray(123, 4000), audio.subarray(4000, 4001), audio.subarray(4001)];
    const pieces = parts.map((p) => chunked.push(p));
    assert.equal(pieces.reduce((n, p) => n + p.count, 0), whole.count);
    assert.equal(pieces[2]!.startMs, pieces[1]!.startMs + pieces[1]!.count * FRAME_MS);
    const joined = Float32Array.from(pieces.flatMap((p) => [...p.coefficients]));
    joined.forEach((v, i) => assert.ok(Math.abs(v - whole.coefficients[i]!) < 1e-3, `coefficient ${i}`));
  });

  it('ignores loudness (no c0) but not timbre', () => {
    const quiet = new MfccExtractor().push(tone(200, 100, 1000));
    const loud = new MfccExtractor().push(tone(200, 100, 8000));
    const other = new MfccExtractor().push(tone(900, 100, 1000));
    const sameTimbre = distance(frame(quiet.coefficients, 3), frame(loud.coefficients, 3));
    const otherTimbre = distance(frame(quiet.coefficients, 3), frame(other.coefficients, 3));
    assert.ok(sameTimbre < otherTimbre / 10, `${sameTimbre} vs ${otherTimbre}`);
    assert.ok(loud.logEnergy[3]! > quiet.logEnergy[3]! + 3, 'the log energy keeps the loudness');
  });
});
