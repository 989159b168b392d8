import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { librivoxUtterances } from '../../../test/support/librivox.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from './audio-bounds.js';
import { Resampler } from './resampler.js';

const wav = librivoxUtterances()[1]!.wavPath;

/** `ffmpeg` reading raw s16le at `rate`/`channels` and writing 16 kHz mono s16le. */
function ffmpegTo16k(input: Buffer, format: string, rate: number, channels = 1): Int16Array {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-f', format, '-ar', String(rate), '-ac', String(channels), '-i', '-', '-f', 's16le', '-ac', '1', '-ar', '16000', '-'], {
    input,
    maxBuffer: 1 << 26,
  });
  return new Int16Array(out.buffer, out.byteOffset, out.length / 2);
}

/** The test recording converted by ffmpeg to raw `format` at `rate`. */
function recording(format: string, rate: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', wav, '-f', format, '-ar', String(rate), '-ac', '1', '-'], { maxBuffer: 1 << 26 });
}

function run(resampler: Resampler, input: ArrayLike<number>, chunk: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < input.length; i += chunk) out.push(...resampler.process(Array.prototype.slice.call(input, i, i + chunk)));
  out.push(...resampler.flush());
  return out;
}

describe('Resampler', () => {
  it('reproduces ffmpeg bit for bit on 16-bit audio, whatever the chunking', () => {
    for (const rate of [8000, 22050, 44100]) {
      const bytes = recording('s16le', rate);
      const input = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
      const expected = [...ffmpegTo16k(bytes, 's16le', rate)];
      for (const chunk of [1, 333, 100_000]) {
        assert.deepEqual(run(new Resampler(rate, 16_000, 'int16'), input, chunk), expected, `${rate} Hz in chunks of ${chunk}`);
      }
    }
  });

  it('stays within one step of ffmpeg on float audio', () => {
    const bytes = recording('f32le', 48_000);
    const input = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    const expected = ffmpegTo16k(bytes, 'f32le', 48_000);
    const out = run(new Resampler(48_000, 16_000, 'float'), input, 4096).map((x) => Math.round(x * 32768));
    assert.equal(out.length, expected.length);
    assert.ok(out.every((x, i) => Math.abs(x - expected[i]!) <= 1));
  });

  it('keeps time: an input of N samples gives ceil(N·out/in) samples', () => {
    assert.equal(run(new Resampler(8000, 16_000, 'int16'), new Array(801).fill(0), 100).length, 1602);
    assert.equal(run(new Resampler(44_100, 16_000, 'float'), new Array(441).fill(0), 7).length, 160);
    assert.equal(run(new Resampler(44_056, 16_000, 'float'), new Array(44_056).fill(0.1), 1000).length, 16_000);
  });

  it('passes audio at the output rate through', () => {
    const r = new Resampler(16_000, 16_000, 'int16');
    assert.deepEqual([...r.process([1, 2, 3])], [1, 2, 3]);
    assert.equal(r.flush().length, 0);
  });

  it('keeps a constant signal constant', () => {
    const out = run(new Resampler(11_025, 16_000, 'float'), new Array(11_025).fill(0.5), 512);
    assert.ok(out.every((x) => Math.abs(x - 0.5) < 1e-3), String(out.find((x) => Math.abs(x - 0.5) >= 1e-3)));
  });

  it('refuses rates that are not positive integers', () => {
    assert.throws(() => new Resampler(0, 16_000, 'int16'), RangeError);
    assert.throws(() => new Resampler(8000.5, 16_000, 'float'), RangeError);
  });

  it('returns output sized by its input, never by the rates alone', () => {
    for (const rate of [MIN_SAMPLE_RATE, 8001, 44_100, MAX_SAMPLE_RATE - 1]) {
      const r = new Resampler(rate, 16_000, 'int16');
      let inputs = 0;
      let outputs = 0;
      for (const chunk of [1, 7, 1000, 4096]) {
        inputs += chunk;
        outputs += r.process(new Array(chunk).fill(100)).length;
        assert.ok(outputs <= Math.ceil((inputs * 16_000) / rate), `${rate} Hz: ${outputs} outputs for ${inputs} inputs`);
      }
    }
  });

  it('costs a bounded amount per input sample over the accepted rates', () => {
    // 1 Hz would cost 16,000 outputs per input sample: the reason for the lower bound.
    for (let rate = MIN_SAMPLE_RATE; rate <= MAX_SAMPLE_RATE; rate += 997) {
      const { workPerInputSample } = new Resampler(rate, 16_000, 'float');
      assert.ok(workPerInputSample > 0 && workPerInputSample <= 200, `${rate} Hz: ${workPerInputSample}`);
    }
    assert.ok(new Resampler(1, 16_000, 'float').workPerInputSample > 1_000_000);
  });

  it('builds its filter table in bounded steps, or on demand, to the same samples', () => {
    // 191,999 Hz has the largest table of the accepted rates: 1025 phases of 396 taps.
    const input = Array.from({ length: 50_000 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
    const prepared = new Resampler(191_999, 16_000, 'int16');
    let steps = 1;
    while (!prepared.prepare(750_000)) steps++;
    // Each step does at most the budget plus one row (396 coefficients).
    assert.ok(steps >= 10, `${steps} steps`);
    const lazy = new Resampler(191_999, 16_000, 'int16');
    assert.deepEqual(run(prepared, input, 4096), run(lazy, input, 10_000));
    assert.equal(new Resampler(48_000, 16_000, 'int16').prepare(750_000), true);
  });
});
