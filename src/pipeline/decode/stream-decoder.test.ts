import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { librivoxUtterances } from '../../../test/support/librivox.js';
import { decodeAudio } from './decode-audio.js';
import { AudioDecodeError } from './errors.js';
import { type AudioFormat, openStreamDecoder, parseAudioFormat } from './stream-decoder.js';
import { concatSamples } from './samples.test-helper.js';

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
});
