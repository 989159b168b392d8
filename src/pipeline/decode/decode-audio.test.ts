import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { librivoxUtterances } from '../../../test/support/librivox.js';
import { type DecodeOptions, decodeAudio } from './decode-audio.js';
import { AudioDecodeError, AudioTooLongError } from './errors.js';
import { probeDurationMs } from './probe-duration.js';
import { concatSamples } from './samples.test-helper.js';

async function decodeAll(path: string, options?: DecodeOptions): Promise<Int16Array> {
  const chunks: Int16Array[] = [];
  for await (const chunk of decodeAudio(path, options)) chunks.push(chunk);
  return concatSamples(chunks);
}

const wav = librivoxUtterances()[1]!.wavPath; // 2.99 s, 16 kHz mono

describe('decodeAudio', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hark-decode-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes 16 kHz mono wav samples through unchanged', async () => {
    const bytes = readFileSync(wav);
    const expected = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length));
    assert.deepEqual(await decodeAll(wav), expected);
  });

  it('decodes every supported container to 16 kHz mono of the same length', async () => {
    const encodings: Record<string, string[]> = {
      'x.mp3': [],
      'x.ogg': [],
      'x.opus': [],
      'x.flac': [],
      'x.m4a': [],
      'x.mp4': [],
      'x.webm': [],
      'x.aiff': [],
      'x.aac': [],
      'x.wma': ['-c:a', 'wmav2'],
      'stereo-44k.wav': ['-ac', '2', '-ar', '44100'],
    };
    for (const [name, args] of Object.entries(encodings)) {
      ffmpeg('-i', wav, ...args, file(name));
      const samples = await decodeAll(file(name));
      // Codecs pad a few frames at either end.
      assert.ok(Math.abs(samples.length / 16 - 2990) < 120, `${name}: ${samples.length / 16} ms`);
    }
  });

  it('decodes AMR', async () => {
    // Debian's ffmpeg has no AMR encoder: 100 silent 20 ms frames of AMR-NB 12.2 kbit/s.
    const frame = Buffer.concat([Buffer.of(0x3c), Buffer.alloc(31)]);
    writeFileSync(file('x.amr'), Buffer.concat([Buffer.from('#!AMR\n'), ...Array<Buffer>(100).fill(frame)]));
    assert.equal((await decodeAll(file('x.amr'))).length, 32_000);
  });

  it('fails with AudioDecodeError on garbage: plain words for the client, ffmpeg’s for the log, no path', async () => {
    writeFileSync(file('garbage.mp3'), Buffer.from('this is not audio at all, just text'.repeat(100)));
    const err = await decodeAll(file('garbage.mp3')).catch((e: unknown) => e);
    assert.ok(err instanceof AudioDecodeError, String(err));
    assert.equal(err.message, 'Audio could not be decoded: the file is not in a supported audio format.');
    assert.ok(err.detail !== null && err.detail.length > 0);
    assert.ok(!err.detail.includes(dir), err.detail);
  });

  it('fails with AudioDecodeError on an empty file, a missing file and a video without sound', async () => {
    writeFileSync(file('empty.wav'), '');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=d=1', '-c:v', 'mpeg4', file('silent-film.mp4'));
    for (const name of ['empty.wav', 'missing.wav', 'silent-film.mp4']) {
      await assert.rejects(decodeAll(file(name)), AudioDecodeError, name);
    }
    await assert.rejects(decodeAll(file('silent-film.mp4')), /no audio stream/);
  });

  it('refuses playlists, which would make ffmpeg open other files', async () => {
    writeFileSync(file('list.m3u8'), `#EXTM3U\n#EXTINF:3,\n${wav}\n#EXT-X-ENDLIST\n`);
    await assert.rejects(decodeAll(file('list.m3u8')), AudioDecodeError);
  });

  it('treats a path as a file even when it looks like a protocol', async () => {
    await assert.rejects(decodeAll('pipe:0'), AudioDecodeError);
  });

  it('stops with AudioTooLongError once the maximum duration is passed', async () => {
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=600', '-ar', '16000', '-ac', '1', file('ten-minutes.flac'));
    const began = Date.now();
    const err = await decodeAll(file('ten-minutes.flac'), { maxDurationMs: 2000 }).catch((e: unknown) => e);
    assert.ok(err instanceof AudioTooLongError);
    assert.equal(err.maxDurationMs, 2000);
    // Stopped early rather than decoding ten minutes.
    assert.ok(Date.now() - began < 2000, `took ${Date.now() - began} ms`);
    assert.equal((await decodeAll(wav, { maxDurationMs: 2990 })).length, 47_840);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const chunks = decodeAudio(file('ten-minutes.flac'), { signal: controller.signal });
    await chunks.next();
    controller.abort();
    await assert.rejects(
      (async () => {
        for await (const _ of chunks);
      })(),
      { name: 'AbortError' },
    );
    await assert.rejects(decodeAll(wav, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  it('kills ffmpeg when the consumer stops early', async () => {
    for await (const _ of decodeAudio(file('ten-minutes.flac'))) break;
    // Nothing to observe but that this returns promptly and leaves no process behind.
    const leftover = execFileSync('ps', ['-C', 'ffmpeg', '-o', 'args=']).toString().split('\n').filter((l) => l.includes('ten-minutes'));
    assert.deepEqual(leftover, []);
  });
});

describe('probeDurationMs', () => {
  it('reads the declared duration in milliseconds', async () => {
    assert.equal(await probeDurationMs(wav), 2990);
  });

  it('returns null for files it cannot probe', async () => {
    assert.equal(await probeDurationMs('/nonexistent.wav'), null);
  });
});
