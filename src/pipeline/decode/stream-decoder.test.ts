import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { librivoxUtterances } from '../../../test/support/librivox.js';
import { decodeAudio } from './decode-audio.js';
import { RawStreamDecoder } from './raw-stream-decoder.js';
import { AudioDecodeError } from './errors.js';
import { type AudioFormat, openStreamDecoder, parseAudioFormat } from './stream-decoder.js';
import { parseRawFormat } from './raw-formats.js';
import { concatSamples, pcmWavHeader } from './samples.test-helper.js';

const wav = librivoxUtterances()[1]!.wavPath; // 2.99 s, 16 kHz mono

async function fileSamples(path: string): Promise<Int16Array> {
  const chunks: Int16Array[] = [];
  for await (const chunk of decodeAudio(path)) chunks.push(chunk);
  return concatSamples(chunks);
}


/** Streams `bytes` through a decoder in chunks of `chunk` bytes; resolves to all samples. */
async function stream(format: AudioFormat, bytes: Buffer, chunk: number, raw: { sampleRate: number; channels: number } | null = null) {
  const chunks: Int16Array[] = [];
  const errors: Error[] = [];
  const decoder = openStreamDecoder(format, raw, { pcm: (s) => chunks.push(s), error: (e) => errors.push(e), drain: () => {} });
  try {
    for (let i = 0; i < bytes.length; i += chunk) decoder.write(bytes.subarray(i, i + chunk));
    await decoder.end();
  } finally {
    decoder.destroy();
  }
  if (errors.length > 0) throw errors[0];
  return concatSamples(chunks);
}

describe('parseAudioFormat', () => {
  it('knows the containers of the contract and every raw format', () => {
    assert.deepEqual(parseAudioFormat('auto'), { kind: 'container', demuxer: null });
    assert.deepEqual(parseAudioFormat('webm'), { kind: 'container', demuxer: 'matroska' });
    for (const name of ['aac', 'aiff', 'amr', 'asf', 'flac', 'mp3', 'ogg', 'wav']) assert.equal(parseAudioFormat(name)?.kind, 'container');
    assert.equal(parseAudioFormat('pcm_s16le')?.kind, 'raw');
    assert.equal(parseAudioFormat('avi'), null);
    assert.equal(parseAudioFormat('constructor'), null);
  });
});

describe('openStreamDecoder', () => {
  let dir: string;
  const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hark-stream-decode-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes raw PCM in-process, with frames split anywhere', async () => {
    const pcm = readFileSync(wav).subarray(44);
    const expected = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
    assert.deepEqual(await stream(parseAudioFormat('pcm_s16le')!, pcm, 3, { sampleRate: 16000, channels: 1 }), expected);
    ffmpeg('-i', wav, '-f', 'mulaw', '-ar', '8000', join(dir, 'x.mulaw'));
    ffmpeg('-f', 'mulaw', '-ar', '8000', '-i', join(dir, 'x.mulaw'), join(dir, 'mulaw.wav'));
    const viaFfmpeg = await fileSamples(join(dir, 'mulaw.wav'));
    const mulaw = readFileSync(join(dir, 'x.mulaw'));
    assert.deepEqual(await stream(parseAudioFormat('mulaw')!, mulaw, 160, { sampleRate: 8000, channels: 1 }), viaFfmpeg);
  });

  it('decodes a plain WAV in-process, as ffmpeg decodes the file', async () => {
    ffmpeg('-i', wav, '-ar', '44100', '-ac', '2', join(dir, 'stereo.wav'));
    const bytes = readFileSync(join(dir, 'stereo.wav'));
    for (const format of ['auto', 'wav']) {
      assert.deepEqual(await stream(parseAudioFormat(format)!, bytes, 1000), await fileSamples(join(dir, 'stereo.wav')), format);
    }
  });

  it('streams containers through ffmpeg to the samples of the file', async () => {
    for (const name of ['x.ogg', 'x.webm', 'x.flac']) {
      ffmpeg('-i', wav, join(dir, name));
      const samples = await stream(parseAudioFormat('auto')!, readFileSync(join(dir, name)), 3840);
      assert.deepEqual(samples, await fileSamples(join(dir, name)), name);
    }
    ffmpeg('-i', wav, join(dir, 'x.mp3'));
    const mp3 = await stream(parseAudioFormat('mp3')!, readFileSync(join(dir, 'x.mp3')), 500);
    const file = await fileSamples(join(dir, 'x.mp3'));
    // From a pipe ffmpeg cannot trim the encoder's padding at the end; the rest is the same.
    assert.deepEqual(mp3.subarray(0, file.length), file);
    assert.ok(mp3.length - file.length < 1600);
  });

  it('fails with AudioDecodeError on bytes that are no audio, or no bytes', async () => {
    const garbage = Buffer.from('this is not audio at all, just text'.repeat(300));
    await assert.rejects(stream(parseAudioFormat('auto')!, garbage, 1000), AudioDecodeError);
    await assert.rejects(stream(parseAudioFormat('mp3')!, Buffer.alloc(0), 1000), AudioDecodeError);
  });

  it('settles once what was written has come out', async () => {
    ffmpeg('-i', wav, '-c:a', 'libopus', join(dir, 'settle.webm'));
    const chunks: Int16Array[] = [];
    const decoder = openStreamDecoder(parseAudioFormat('auto')!, null, { pcm: (s) => chunks.push(s), error: assert.fail, drain: () => {} });
    try {
      const bytes = readFileSync(join(dir, 'settle.webm'));
      decoder.write(bytes.subarray(0, bytes.length >> 1));
      // settle() gives up after 500 ms so a finalize is never held for long; a cold ffmpeg on a
      // loaded machine can take longer than that to start, so wait for its first output here.
      for (const deadline = Date.now() + 30_000; chunks.length === 0 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await decoder.settle();
      const half = concatSamples(chunks).length;
      // Half the bytes hold about half the audio; opus needs its next packet for the last few ms.
      assert.ok(half > 16 * 1000 && half < 16 * 2000, `${half / 16} ms after settling`);
      decoder.write(bytes.subarray(bytes.length >> 1));
      await decoder.end();
    } finally {
      decoder.destroy();
    }
  });

  it('decodes a huge raw frame in bounded slices, one per turn of the event loop', async () => {
    for (const [sampleRate, channels] of [[8000, 1], [192_000, 2]] as const) {
      const bytes = Buffer.alloc(4 << 20);
      for (let i = 0; i < bytes.length; i += 2) bytes.writeInt16LE(Math.round(3000 * Math.sin(i / 50)), i);
      const sliceBytes = new RawStreamDecoder(parseRawFormat('s16le')!, sampleRate, channels).sliceBytes;
      // Turns of the event loop taken by others while the frame is decoded.
      let turns = 0;
      let ticking = true;
      const tick = () => {
        turns++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const turnAtChunk: number[] = [];
      const chunks: Int16Array[] = [];
      let drains = 0;
      const decoder = openStreamDecoder(parseAudioFormat('s16le')!, { sampleRate, channels }, {
        pcm: (samples) => {
          chunks.push(samples);
          turnAtChunk.push(turns);
        },
        error: assert.fail,
        drain: () => drains++,
      });
      const accepted = decoder.write(bytes);
      assert.equal(accepted, false, 'a frame of many slices asks the caller to wait');
      assert.equal(chunks.length, 1, 'the first slice is decoded at once');
      await decoder.end();
      ticking = false;
      const slices = Math.ceil(bytes.length / sliceBytes);
      // One chunk per slice, and the resampler's tail at the end.
      assert.equal(chunks.length, slices + 1, `${sampleRate} Hz`);
      // No slice gives more than one second of output, and others ran between any two.
      assert.ok(chunks.every((c) => c.length <= 16_000 + 1));
      const sliceTurns = turnAtChunk.slice(0, slices);
      assert.ok(sliceTurns.every((turn, i) => i === 0 || turn > sliceTurns[i - 1]!), 'other work ran between slices');
      assert.equal(drains, 1);
      const whole = new RawStreamDecoder(parseRawFormat('s16le')!, sampleRate, channels);
      assert.deepEqual(concatSamples(chunks), concatSamples([whole.decode(bytes), whole.flush()]));
    }
  });

  it('settles raw audio once every pending slice is decoded', async () => {
    const chunks: Int16Array[] = [];
    const decoder = openStreamDecoder(parseAudioFormat('mulaw')!, { sampleRate: 8000, channels: 1 }, {
      pcm: (s) => chunks.push(s),
      error: assert.fail,
      drain: () => {},
    });
    // 10 s at 8 kHz: more than one slice.
    assert.equal(decoder.write(Buffer.alloc(80_000, 0x7f)), false);
    await decoder.settle();
    // All of it but the few outputs whose filter needs input not sent yet.
    const settled = concatSamples(chunks).length;
    assert.ok(settled > 160_000 - 64 && settled <= 160_000, `${settled} samples`);
    decoder.destroy();
  });

  it('refuses a WAV declaring a rate or channel count outside the bounds, before decoding any of it', async () => {
    const header = pcmWavHeader(1);
    for (const format of ['auto', 'wav']) {
      const errors: Error[] = [];
      let samples = 0;
      const decoder = openStreamDecoder(parseAudioFormat(format)!, null, {
        pcm: (s) => (samples += s.length),
        error: (e) => errors.push(e),
        drain: () => {},
      });
      decoder.write(Buffer.concat([header, Buffer.alloc(20_000, 0x11)]));
      assert.ok(errors[0] instanceof AudioDecodeError, format);
      assert.match(errors[0].message, /sample rate of 1 Hz/);
      assert.equal(samples, 0);
      decoder.write(Buffer.alloc(20_000));
      await decoder.end();
      assert.equal(errors.length, 1);
      decoder.destroy();
    }
  });

  it('stops ffmpeg on a container declaring a rate outside the bounds (an AIFF at 1 Hz)', async () => {
    writeFileSync(join(dir, 'noise.raw'), Buffer.alloc(4000, 0x11));
    ffmpeg('-f', 's16le', '-ar', '1', '-ac', '1', '-i', join(dir, 'noise.raw'), join(dir, 'one-hertz.aiff'));
    for (const format of ['auto', 'aiff']) {
      const errors: Error[] = [];
      const decoder = openStreamDecoder(parseAudioFormat(format)!, null, { pcm: () => {}, error: (e) => errors.push(e), drain: () => {} });
      decoder.write(readFileSync(join(dir, 'one-hertz.aiff')));
      // Resolves once ffmpeg has exited: killed at the check, or (without it) done decoding.
      await decoder.end();
      decoder.destroy();
      assert.equal(errors.length, 1, format);
      assert.ok(errors[0] instanceof AudioDecodeError, format);
      assert.match(errors[0].message, /sample rate of 1 Hz/);
    }
  });

  it('finds a WAV header sent a byte per frame behind a long metadata chunk', async () => {
    const pcm = readFileSync(wav).subarray(44);
    const header = pcmWavHeader(16_000);
    header.writeUInt32LE(pcm.length, 40);
    const list = Buffer.alloc(8 + 300_000);
    list.write('LIST', 0, 'latin1');
    list.writeUInt32LE(300_000, 4);
    // RIFF, WAVE, a 300 KB LIST chunk, then fmt and data.
    const prefix = Buffer.concat([header.subarray(0, 12), list, header.subarray(12)]);
    const chunks: Int16Array[] = [];
    const decoder = openStreamDecoder(parseAudioFormat('auto')!, null, { pcm: (c) => chunks.push(c), error: assert.fail, drain: () => {} });
    for (let i = 0; i < prefix.length; i++) decoder.write(prefix.subarray(i, i + 1));
    decoder.write(pcm);
    await decoder.end();
    const expected = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
    assert.deepEqual(concatSamples(chunks), expected);
  });
});
