import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SonioxHttpError, SonioxNodeClient } from '@soniox/node';
import { librivoxUtterances } from '../support/librivox.js';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';

/**
 * An AMR-NB file of `frames` × 20 ms all-zero 12.2 kbit/s frames (near
 * silence): Debian's ffmpeg decodes AMR but has no encoder for it.
 */
function silentAmr(frames: number): Buffer {
  const frame = Buffer.concat([Buffer.from([0x3c]), Buffer.alloc(31)]);
  return Buffer.concat([Buffer.from('#!AMR\n'), ...Array.from({ length: frames }, () => frame)]);
}

describe('quotas and limits', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;

  before(async () => {
    hark = await startHark({
      HARK_MAX_TRANSCRIPTIONS: '4',
      HARK_MAX_PENDING_TRANSCRIPTIONS: '2',
      HARK_MAX_AUDIO_DURATION_MS: '4000',
      HARK_MAX_STORAGE_BYTES: '1000000',
      HARK_WORKERS: '1',
    });
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  });
  after(() => hark.dispose());

  test('audio longer than the limit ends in audio_too_long; short audio in any container completes', async () => {
    const [long, short] = librivoxUtterances().slice(0, 2);
    const longFile = await client.files.upload(await readFile(long!.wavPath), { filename: 'long.wav' });
    const tooLong = await (await client.stt.create({ model: 'stt-async-v4', file_id: longFile.id })).wait({ timeout_ms: 60_000 });
    assert.equal(tooLong.status, 'error');
    assert.equal(tooLong.error_type, 'audio_too_long');
    assert.match(tooLong.error_message ?? '', /too long/i);

    const amr = await client.files.upload(silentAmr(100), { filename: 'silence.amr' });
    const amrDone = await (await client.stt.create({ model: 'stt-async-v4', file_id: amr.id })).wait({ timeout_ms: 60_000 });
    assert.equal(amrDone.status, 'completed', amrDone.error_message ?? '');
    assert.ok(Math.abs(amrDone.audio_duration_ms! - 2000) <= 40, String(amrDone.audio_duration_ms));
    assert.equal((await amrDone.getTranscript())!.text, '');

    await client.stt.delete(tooLong.id);
    await client.stt.delete(amrDone.id);
    await client.files.delete(amr.id);
    await client.files.delete(longFile.id);
    const shortFile = await client.files.upload(await readFile(short!.wavPath), { filename: 'short.wav' });
    const ok = await (await client.stt.create({ model: 'stt-async-v4', file_id: shortFile.id })).wait({ timeout_ms: 60_000 });
    assert.equal(ok.status, 'completed');
    await client.stt.delete(ok.id);
    await client.files.delete(shortFile.id);
  });

  test('pending and total transcription quotas refuse creation and store nothing', async () => {
    // An audio_url host that holds every request until released keeps the single worker busy.
    const held: ServerResponse[] = [];
    let released = false;
    const host = createServer((_req, res) => {
      if (released) res.writeHead(404).end();
      else held.push(res);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const audioUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/slow.mp3`;
    const create = () => api(hark, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', audio_url: audioUrl } });
    try {
      const first = await create();
      assert.equal(first.status, 201);
      await waitFor(async () => (await api(hark, 'GET', `/v1/transcriptions/${first.body.id}`)).body.status === 'processing');
      assert.equal((await create()).status, 201);
      assert.equal((await create()).status, 201);
      const overPending = await create();
      assert.equal(overPending.status, 400);
      assert.equal(overPending.body.error_type, 'invalid_request');
      assert.equal(overPending.body.message, 'Exceeded maximum number of pending transcriptions (maximum is 2).');
      assert.equal((await api(hark, 'GET', '/v1/transcriptions/count')).body.total, 3);

      released = true;
      for (const res of held.splice(0)) res.writeHead(404).end();
      await waitFor(async () => {
        const list = await api(hark, 'GET', '/v1/transcriptions');
        return list.body.transcriptions.every((t: { status: string }) => t.status === 'error');
      });
      assert.equal((await create()).status, 201);
      await assert.rejects(
        client.stt.create({ model: 'stt-async-v4', audio_url: audioUrl }),
        (err: unknown) =>
          err instanceof SonioxHttpError &&
          err.statusCode === 400 &&
          (err.bodyText ?? '').includes('Exceeded maximum number of transcriptions (maximum is 4).'),
      );
      assert.equal((await api(hark, 'GET', '/v1/transcriptions/count')).body.total, 4);
      await waitFor(async () => {
        const list = await api(hark, 'GET', '/v1/transcriptions');
        return list.body.transcriptions.every((t: { status: string }) => t.status === 'error');
      });
      await client.stt.delete_all();
      assert.equal((await api(hark, 'GET', '/v1/transcriptions/count')).body.total, 0);
    } finally {
      released = true;
      for (const res of held.splice(0)) res.writeHead(404).end();
      host.close();
    }
  });

  test('total storage quota', async () => {
    await client.files.upload(Buffer.alloc(600_000), { filename: 'a.bin' });
    await assert.rejects(
      client.files.upload(Buffer.alloc(600_000), { filename: 'b.bin' }),
      (err: unknown) => err instanceof SonioxHttpError && (err.bodyText ?? '').includes('maximum total file storage'),
    );
    assert.equal((await client.files.list()).files.length, 1);
  });
});
