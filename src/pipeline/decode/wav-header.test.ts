import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sniffWav } from './wav-header.js';

/** A WAV header: RIFF, WAVE, the given chunks in order. */
function riff(...chunks: [string, Buffer][]): Buffer {
  const body = chunks.map(([id, data]) => {
    const header = Buffer.alloc(8);
    header.write(id, 0, 'latin1');
    header.writeUInt32LE(id === 'data' ? data.readUInt32LE(0) : data.length, 4);
    return id === 'data' ? header : Buffer.concat([header, data, Buffer.alloc(data.length % 2)]);
  });
  const head = Buffer.alloc(12);
  head.write('RIFFWAVE', 0, 'latin1');
  head.write('WAVE', 8, 'latin1');
  head.writeUInt32LE(0xffffffff, 4);
  return Buffer.concat([head, ...body]);
}

function fmt(tag: number, channels: number, rate: number, bits: number, extensibleTag?: number): Buffer {
  const b = Buffer.alloc(extensibleTag === undefined ? 16 : 40);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  if (extensibleTag !== undefined) {
    b.writeUInt16LE(22, 16);
    b.writeUInt16LE(extensibleTag, 24);
  }
  return b;
}

const dataSize = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};

describe('sniffWav', () => {
  it('finds the format and the first audio byte of a plain PCM WAV', () => {
    const header = riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', dataSize(32000)]);
    assert.deepEqual(sniffWav(header), {
      kind: 'pcm',
      format: { encoding: 'signed', bytesPerSample: 2, bigEndian: false },
      sampleRate: 16000,
      channels: 1,
      dataOffset: 44,
      dataBytes: 32000,
    });
  });

  it('skips metadata chunks and reads extensible, float and G.711 headers', () => {
    const withList = riff(['LIST', Buffer.alloc(27)], ['fmt ', fmt(3, 2, 48000, 32)], ['data', dataSize(0)]);
    const sniff = sniffWav(withList);
    assert.ok(sniff.kind === 'pcm');
    assert.deepEqual(sniff.format, { encoding: 'float', bytesPerSample: 4, bigEndian: false });
    assert.equal(sniff.dataOffset, withList.length);
    assert.equal(sniff.dataBytes, Infinity, 'size 0: a stream of unknown length');
    const extensible = sniffWav(riff(['fmt ', fmt(0xfffe, 1, 44100, 24, 1)], ['data', dataSize(30)]));
    assert.ok(extensible.kind === 'pcm' && extensible.format.bytesPerSample === 3 && extensible.format.encoding === 'signed');
    const mulaw = sniffWav(riff(['fmt ', fmt(7, 1, 8000, 8)], ['data', dataSize(8000)]));
    assert.ok(mulaw.kind === 'pcm' && mulaw.format.encoding === 'mulaw');
    const u8 = sniffWav(riff(['fmt ', fmt(1, 1, 8000, 8)], ['data', dataSize(8000)]));
    assert.ok(u8.kind === 'pcm' && u8.format.encoding === 'unsigned');
  });

  it('asks for more bytes until the data chunk starts', () => {
    const header = riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', dataSize(100)]);
    for (const length of [0, 3, 11, 20, 36, 43]) assert.deepEqual(sniffWav(header.subarray(0, length)), { kind: 'need-more' }, `${length} bytes`);
  });

  it('leaves other streams and WAVs with compressed audio to ffmpeg', () => {
    assert.deepEqual(sniffWav(Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00')), { kind: 'other' });
    assert.deepEqual(sniffWav(Buffer.from('OggS')), { kind: 'other' });
    assert.deepEqual(sniffWav(riff(['fmt ', fmt(0x55, 1, 16000, 0)], ['data', dataSize(10)])), { kind: 'other' }, 'mp3 in wav');
    assert.deepEqual(sniffWav(riff(['fmt ', fmt(1, 1, 16000, 12)], ['data', dataSize(10)])), { kind: 'other' }, '12-bit');
    assert.deepEqual(sniffWav(riff(['data', dataSize(10)])), { kind: 'other' }, 'no fmt chunk');
  });

  it('reports a rate or channel count outside the bounds, whatever the codec', () => {
    const data = Buffer.alloc(4);
    assert.deepEqual(sniffWav(riff(['fmt ', fmt(1, 1, 1, 16)], ['data', data])), {
      kind: 'out-of-bounds',
      reason: 'the sample rate of 1 Hz is outside the supported range (8000 to 192000 Hz)',
    });
    // IMA ADPCM, which only ffmpeg decodes, at 100 Hz.
    assert.equal(sniffWav(riff(['fmt ', fmt(0x11, 1, 100, 4)], ['data', data])).kind, 'out-of-bounds');
    assert.equal(sniffWav(riff(['fmt ', fmt(1, 1, 384_000, 16)], ['data', data])).kind, 'out-of-bounds');
    assert.equal(sniffWav(riff(['fmt ', fmt(1, 33, 16_000, 16)], ['data', data])).kind, 'out-of-bounds');
    assert.equal(sniffWav(riff(['fmt ', fmt(1, 32, 8000, 16)], ['data', data])).kind, 'pcm');
    assert.equal(sniffWav(riff(['fmt ', fmt(1, 1, 192_000, 16)], ['data', data])).kind, 'pcm');
  });
});
