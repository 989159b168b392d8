import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alawToLinear, decodeFrames, mulawToLinear, parseRawFormat, toInt16 } from './raw-formats.js';

describe('parseRawFormat', () => {
  it('reads every documented raw format, with and without the pcm_ prefix', () => {
    for (const bits of [8, 16, 24, 32]) {
      for (const sign of ['s', 'u']) {
        for (const order of ['le', 'be']) {
          const format = parseRawFormat(`pcm_${sign}${bits}${order}`);
          assert.deepEqual(format, {
            encoding: sign === 's' ? 'signed' : 'unsigned',
            bytesPerSample: bits / 8,
            bigEndian: order === 'be',
          });
          assert.deepEqual(parseRawFormat(`${sign}${bits}${order}`), format);
        }
      }
    }
    assert.deepEqual(parseRawFormat('pcm_f32be'), { encoding: 'float', bytesPerSample: 4, bigEndian: true });
    assert.deepEqual(parseRawFormat('f64le'), { encoding: 'float', bytesPerSample: 8, bigEndian: false });
    assert.deepEqual(parseRawFormat('pcm_s8'), { encoding: 'signed', bytesPerSample: 1, bigEndian: false });
    assert.deepEqual(parseRawFormat('u8'), { encoding: 'unsigned', bytesPerSample: 1, bigEndian: false });
    assert.equal(parseRawFormat('mulaw')?.encoding, 'mulaw');
    assert.equal(parseRawFormat('alaw')?.encoding, 'alaw');
  });

  it('refuses containers, unknown names and multi-byte formats without a byte order', () => {
    for (const name of ['auto', 'wav', 'avi', 'pcm_s16', 's16', 'pcm_f16le', 'pcm_s12le', 'PCM_S16LE', 'pcm_mulaw', '']) {
      assert.equal(parseRawFormat(name), null, name);
    }
  });
});

describe('G.711', () => {
  it('decodes µ-law and A-law as ffmpeg does', () => {
    // Reference values from ffmpeg's pcm_mulaw / pcm_alaw decoders.
    assert.equal(mulawToLinear(0xff), 0);
    assert.equal(mulawToLinear(0x7f), 0);
    assert.equal(mulawToLinear(0x00), -32124);
    assert.equal(mulawToLinear(0x80), 32124);
    assert.equal(alawToLinear(0xd5), 8);
    assert.equal(alawToLinear(0x55), -8);
    assert.equal(alawToLinear(0xaa), 32256);
    assert.equal(alawToLinear(0x2a), -32256);
  });
});

describe('decodeFrames', () => {
  const fmt = (name: string) => parseRawFormat(name)!;

  it('scales every encoding to [-1, 1)', () => {
    assert.deepEqual([...decodeFrames(Uint8Array.of(0x00, 0x80), fmt('pcm_s16le'), 1)], [-1]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0x80, 0x00), fmt('pcm_s16be'), 1)], [-1]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0x00, 0x00, 0x40), fmt('pcm_s24le'), 1)], [0.5]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0xc0, 0x00, 0x00), fmt('pcm_s24be'), 1)], [-0.5]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0, 0, 0, 0x40), fmt('pcm_s32le'), 1)], [0.5]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0x80, 0xff), fmt('pcm_u8'), 2)], [127 / 256]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0x00, 0xc0), fmt('pcm_u16le'), 1)], [0.5]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0x00, 0x00, 0x00), fmt('pcm_u24be'), 1)], [-1]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0xff, 0xff, 0xff, 0xff), fmt('pcm_u32le'), 1)], [Math.fround(1 - 2 ** -31)]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0x80), fmt('pcm_s8'), 1)], [-1]);
    const f32 = new Uint8Array(new Float32Array([0.25, Number.NaN, 4]).buffer);
    assert.deepEqual([...decodeFrames(f32, fmt('pcm_f32le'), 1)], [0.25, 0, 1]);
    const f64be = new Uint8Array(8);
    new DataView(f64be.buffer).setFloat64(0, -0.75, false);
    assert.deepEqual([...decodeFrames(f64be, fmt('pcm_f64be'), 1)], [-0.75]);
    assert.deepEqual([...decodeFrames(Uint8Array.of(0xff, 0x00), fmt('mulaw'), 1)].map((x) => x * 32768), [0, -32124]);
  });

  it('mixes interleaved channels to their mean', () => {
    const stereo = new Uint8Array(new Int16Array([16384, 0, -16384, -16384]).buffer);
    assert.deepEqual([...decodeFrames(stereo, fmt('pcm_s16le'), 2)], [0.25, -0.5]);
  });

  it('needs whole frames', () => {
    assert.throws(() => decodeFrames(Uint8Array.of(1, 2, 3), fmt('pcm_s16le'), 1), RangeError);
  });
});

describe('toInt16', () => {
  it('rounds and clips', () => {
    assert.deepEqual([...toInt16([0.5, -1, 2, -2, 1.5 / 32768])], [16384, -32768, 32767, -32768, 2]);
  });
});
