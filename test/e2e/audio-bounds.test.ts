// Audio that declares absurd rates, or that is huge, gets a documented error
// or is decoded in bounded slices; the server keeps serving everyone else
// (issue 10, items 2 and 9e).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';
import { type RunOptions, assertWellFormed, errorOf, finalText, runSession, slices } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';
import { pcmWavHeader } from '../../src/pipeline/decode/samples.test-helper.js';

const MODEL = 'stt-rt-v4';
const MALFORMED = 'Start request is malformed.';

const wavHeader = (rate: number, channels = 1) => pcmWavHeader(rate, channels);

describe('audio bounds: rates, channels and huge input', () => {
  let hark: HarkProcess;
  let short: HarkProcess;
  let work: string;
  const start = (fields: object) => ({ api_key: hark.apiKey, model: MODEL, ...fields });

  async function assertRefused(options: RunOptions, code: number, message: string): Promise<void> {
    const run = await runSession(hark.wsUrl, { timeoutMs: 30_000, ...options });
    assert.deepEqual(errorOf(run), { tokens: [], error_code: code, error_message: message });
    assert.equal(run.closeCode, 1000);
  }

  async function assertServing(server: HarkProcess): Promise<void> {
    const models = await api(server, 'GET', '/v1/models');
    assert.equal(models.status, 200);
  }

  async function transcribeUpload(server: HarkProcess, bytes: Buffer, filename: string): Promise<any> {
    const file = await fetch(`${server.baseUrl}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}` },
      body: (() => {
        const form = new FormData();
        form.append('file', new Blob([bytes]), filename);
        return form;
      })(),
    });
    assert.equal(file.status, 201);
    const { id } = (await file.json()) as { id: string };
    const created = await api(server, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', file_id: id } });
    assert.equal(created.status, 201);
    return waitFor(async () => {
      const t = await api(server, 'GET', `/v1/transcriptions/${created.body.id}`);
      return t.body.status === 'completed' || t.body.status === 'error' ? t.body : null;
    }, 120_000);
  }

  before(async () => {
    [hark, short] = await Promise.all([
      startHark({ HARK_LOG_LEVEL: 'info' }),
      startHark({ HARK_MAX_AUDIO_DURATION_MS: '20000' }),
    ]);
    work = await mkdtemp(join(tmpdir(), 'hark-audio-bounds-'));
  });
  after(async () => {
    await Promise.all([hark.dispose(), short.dispose()]);
    await rm(work, { recursive: true, force: true });
  });

  test('raw sample_rate 1 with a 20 KB frame gets 400 and the server keeps answering', async () => {
    const raw = { audio_format: 'pcm_s16le', num_channels: 1 };
    await assertRefused({ start: start({ ...raw, sample_rate: 1 }), frames: [Buffer.alloc(20_000, 0x11), ''] }, 400, MALFORMED);
    await assertServing(hark);
  });

  test('rates and channel counts outside 8–192 kHz and 1–32 are refused, the edges accepted', async () => {
    const refused: object[] = [
      { audio_format: 'pcm_s16le', sample_rate: 100, num_channels: 1 },
      { audio_format: 'mulaw', sample_rate: 7999, num_channels: 1 },
      { audio_format: 'pcm_f32le', sample_rate: 192_001, num_channels: 1 },
      { audio_format: 'pcm_s16le', sample_rate: 384_000, num_channels: 2 },
      { audio_format: 'pcm_s16le', sample_rate: 16_000, num_channels: 33 },
    ];
    await Promise.all(refused.map((fields) => assertRefused({ start: start(fields), frames: [Buffer.alloc(20_000), ''] }, 400, MALFORMED)));
    // Containers carry their own rate: a stray sample_rate is no reason to refuse them.
    const accepted: [object, Buffer][] = [
      [{ audio_format: 'pcm_s16le', sample_rate: 8000, num_channels: 1 }, Buffer.alloc(16_000)],
      [{ audio_format: 'pcm_s16le', sample_rate: 192_000, num_channels: 32 }, Buffer.alloc(1 << 20)],
      [{ audio_format: 'auto', sample_rate: 1, num_channels: 1 }, Buffer.concat([wavHeader(16_000), Buffer.alloc(32_000)])],
    ];
    for (const [fields, frame] of accepted) {
      const run = await runSession(hark.wsUrl, { start: start(fields), frames: [frame, ''], timeoutMs: 60_000 });
      assertWellFormed(run);
      assert.equal(run.closeCode, 1000);
    }
    await assertServing(hark);
  });

  test('a WAV header declaring 1 Hz, through auto and wav, or an AIFF at 1 Hz, gets 400 Audio decode error', async () => {
    for (const audio_format of ['auto', 'wav']) {
      const frame = Buffer.concat([wavHeader(1), Buffer.alloc(20_000, 0x11)]);
      await assertRefused({ start: start({ audio_format }), frames: [frame, ''] }, 400, 'Audio decode error');
    }
    await assertRefused({ start: start({ audio_format: 'auto' }), frames: [Buffer.concat([wavHeader(16_000, 40), Buffer.alloc(20_000)]), ''] }, 400, 'Audio decode error');
    // Other containers go through ffmpeg, which reports the rate before decoding.
    const aiff = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-f', 's16le', '-ar', '1', '-ac', '1', '-i', 'pipe:0', '-f', 'aiff', 'pipe:1'], {
      input: Buffer.alloc(20_000, 0x11),
    });
    await assertRefused({ start: start({ audio_format: 'auto' }), frames: [aiff, ''] }, 400, 'Audio decode error');
    await assertServing(hark);
  });

  test('a huge frame at 8 kHz and at 192 kHz is decoded while REST and another session keep answering', async () => {
    const pcm = speechPcm([4], 0).subarray(0, 32 * 2500);
    for (const [sampleRate, channels] of [[8000, 1], [192_000, 2]] as const) {
      let sessionDone = false;
      const huge = runSession(hark.wsUrl, {
        start: start({ audio_format: 'pcm_s16le', sample_rate: sampleRate, num_channels: channels }),
        frames: [Buffer.alloc(2 << 20), ''], // the largest frame the server takes
        timeoutMs: 240_000,
      }).finally(() => {
        sessionDone = true;
      });
      const neighbour = runSession(hark.wsUrl, {
        start: start({ audio_format: 'pcm_s16le', sample_rate: 16_000, num_channels: 1 }),
        frames: [...slices(pcm, 3840), ''],
        paceMs: 20,
        timeoutMs: 240_000,
      });
      // REST answers over and over while the frame is being worked through.
      let answered = 0;
      while (!sessionDone) {
        await assertServing(hark);
        answered++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const run = await huge;
      assertWellFormed(run);
      assert.equal(run.closeCode, 1000, `${sampleRate} Hz`);
      assert.ok(answered > 0);
      const other = await neighbour;
      assertWellFormed(other);
      assert.match(finalText(other), /\w+/);
    }
  });

  test('a frame over the 2 MiB cap closes the session with 1009, and the server keeps serving', async () => {
    const run = await runSession(hark.wsUrl, {
      start: start({ audio_format: 'pcm_s16le', sample_rate: 16_000, num_channels: 1 }),
      frames: [Buffer.alloc((2 << 20) + 1), ''],
      timeoutMs: 60_000,
    });
    // The server closes with 1009 while the client is still writing the frame, so the client may
    // see its connection reset (1006) before it reads the close frame.
    assert.ok([1006, 1009].includes(run.closeCode), `close ${run.closeCode}`);
    assert.ok(!run.received.some((r) => (r.message.tokens ?? []).length > 0), 'nothing of the frame was transcribed');
    await assertServing(hark);
  });

  test('async: a 4 KB WAV declaring 1 Hz ends audio_decode_error, without decoding it', async () => {
    const done = await transcribeUpload(hark, Buffer.concat([wavHeader(1), Buffer.alloc(4000, 0x11)]), 'one-hertz.wav');
    assert.equal(done.status, 'error');
    assert.equal(done.error_type, 'audio_decode_error');
    assert.equal(done.error_message, 'Audio could not be decoded: the sample rate of 1 Hz is outside the supported range (8000 to 192000 Hz).');
    await assertServing(hark);
  });

  test('async: ffmpeg’s messages stay out of error_message and go to the log', async () => {
    const done = await transcribeUpload(hark, Buffer.from('OggS, but nothing a demuxer could use'.repeat(200)), 'noise.ogg');
    assert.equal(done.error_type, 'audio_decode_error');
    assert.equal(done.error_message, 'Audio could not be decoded: the file is not in a supported audio format.');
    const logged = hark
      .output()
      .split('\n')
      .filter((line) => line.includes('audio could not be decoded'))
      .map((line) => JSON.parse(line) as { level: number; transcriptionId: string; ffmpeg: string });
    const entry = logged.find((l) => l.transcriptionId === done.id);
    assert.ok(entry, 'logged');
    assert.equal(entry.level, 30);
    assert.ok(entry.ffmpeg.length > 0);
  });

  test('async: audio longer than the limit, of undeclared duration, ends audio_too_long as decoding reaches the limit', async () => {
    // An hour of silence written to a pipe: the FLAC header cannot say how long it is.
    const hour = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '3600', '-f', 'flac', '-'], {
      maxBuffer: 1 << 24,
    });
    const path = join(work, 'hour.flac');
    await writeFile(path, hour);
    const probed = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path]);
    assert.match(probed.toString().trim(), /^(N\/A)?$/, 'the duration is not declared');
    const done = await transcribeUpload(short, await readFile(path), 'hour.flac');
    assert.equal(done.status, 'error');
    assert.equal(done.error_type, 'audio_too_long');
    await assertServing(short);
    // Decoding stopped at the limit: no ffmpeg is left working through the rest.
    const leftover = execFileSync('ps', ['-eo', 'args=']).toString().split('\n').filter((l) => l.startsWith('ffmpeg') && l.includes(short.dataDir));
    assert.deepEqual(leftover, []);
  });

  test('the server never logged a crash', async () => {
    for (const server of [hark, short]) assert.doesNotMatch(server.output(), /Fatal|invalid size error|Maximum call stack/);
  });
});
