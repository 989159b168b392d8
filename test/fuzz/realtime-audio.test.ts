import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { parseRawFormat } from '../../src/pipeline/decode/raw-formats.js';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import { AUDIO_FORMATS, FUZZ_ENV, type FuzzFrame, assertDocumentedSessionEnd, formatReport, fuzz, fuzzSession, warmUpRealtime } from '../support/fuzz.js';

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

/** A RIFF/WAVE header with any field values (null: the correct size), then samples, with a few bytes overwritten. */
const wavFile = fc
  .record({
    riffSize: fc.option(u32),
    fmtSize: fc.oneof(fc.constantFrom(16, 18, 40), u32),
    formatTag: fc.oneof(fc.constantFrom(1, 3, 6, 7, 0xfffe), u16),
    channels: fc.oneof(fc.constantFrom(1, 2), u16),
    sampleRate: fc.oneof(fc.constantFrom(8000, 16000, 44100, 48000, 192000, 1, 100, 0), u32),
    byteRate: u32,
    blockAlign: u16,
    bits: fc.oneof(fc.constantFrom(8, 16, 24, 32, 64), u16),
    extraChunk: fc.option(fc.tuple(fc.constantFrom('LIST', 'fact', 'JUNK', 'data', '\0\0\0\0'), u32)),
    dataSize: fc.option(fc.oneof(fc.constant(0xffff_ffff), u32)),
    samples: fc.uint8Array({ maxLength: 12_000 }),
    corruptions: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 3 }),
  })
  .map((w) => {
    const fmtBody = Buffer.alloc(Math.min(Math.max(w.fmtSize, 16), 40));
    fmtBody.writeUInt16LE(w.formatTag, 0);
    fmtBody.writeUInt16LE(w.channels, 2);
    fmtBody.writeUInt32LE(w.sampleRate, 4);
    fmtBody.writeUInt32LE(w.byteRate, 8);
    fmtBody.writeUInt16LE(w.blockAlign, 12);
    fmtBody.writeUInt16LE(w.bits, 14);
    const chunk = (id: string, size: number, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.write(id, 0, 'latin1');
      head.writeUInt32LE(size, 4);
      return Buffer.concat([head, body]);
    };
    const samples = Buffer.from(w.samples);
    const body = Buffer.concat([
      Buffer.from('WAVE'),
      chunk('fmt ', w.fmtSize, fmtBody),
      ...(w.extraChunk ? [chunk(w.extraChunk[0], w.extraChunk[1], Buffer.alloc(8))] : []),
      chunk('data', w.dataSize ?? samples.length, samples),
    ]);
    const file = chunk('RIFF', w.riffSize ?? body.length, body);
    for (const [at, value] of w.corruptions) file[at % file.length] = value;
    return new Uint8Array(file);
  });

/** Bytes starting like a container of another kind, then anything. */
const containerLike = fc
  .tuple(fc.constantFrom('', 'ID3\x04\0\0', 'OggS\0\x02', 'fLaC', '\x1aE\xdf\xa3', 'FORM\0\0\0\0AIFF', '#!AMR\n', '\xff\xf1', '\x30\x26\xb2\x75\x8e\x66\xcf\x11'), fc.uint8Array({ maxLength: 8000 }))
  .map(([magic, rest]) => new Uint8Array(Buffer.concat([Buffer.from(magic, 'latin1'), rest])));

/** Cuts `bytes` into frames at the given points. */
const framed = (bytes: Uint8Array, cuts: number[]): FuzzFrame[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...points].map((from, i) => ({ binary: bytes.subarray(from, points[i] ?? bytes.length) })).filter((f) => f.binary.length > 0);
};

/** A start message for any audio_format with any rate and channel count, and audio bytes for it. */
const audioSession = fc
  .record({
    format: fc.constantFrom(...AUDIO_FORMATS),
    sampleRate: fc.oneof(
      fc.constantFrom(8000, 16000, 22050, 44100, 48000, 96000, 192000),
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.constantFrom(0, -16000, 16000.5, 1e9),
    ),
    channels: fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, 65, 1.5)),
    raw: fc.uint8Array({ maxLength: 12_000 }),
    wav: wavFile,
    container: containerLike,
    autoAsWav: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 3 }),
  })
  .map((s) => {
    // `auto` detects any container; WAV is the one Hark parses itself.
    const container = s.format === 'wav' || (s.format === 'auto' && s.autoAsWav) ? s.wav : s.container;
    const bytes = parseRawFormat(s.format) ? s.raw : container;
    return { format: s.format, sampleRate: s.sampleRate, channels: s.channels, frames: framed(bytes, s.cuts) };
  });

describe('fuzz: real-time audio bytes', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark(FUZZ_ENV);
    await warmUpRealtime(hark);
  });
  after(() => hark.dispose());

  test('any audio in any format and rate ends in a documented error or a finished session, and the server keeps serving', async (t) => {
    const report = await fuzz(
      hark,
      audioSession,
      async ({ format, sampleRate, channels, frames }) => {
        const start = { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: format, sample_rate: sampleRate, num_channels: channels };
        assertDocumentedSessionEnd(await fuzzSession(hark.wsUrl, [{ text: JSON.stringify(start) }, ...frames, { text: '' }]));
      },
      { numRuns: 80, timeLimitMs: 8_000 },
    );
    t.diagnostic(formatReport(report));
  });
});
