import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../../src/lib/wer.js';
import { librivoxUtterances } from '../support/librivox.js';
import { ONE_WORKER_ENV, api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';

describe('a crash loses nothing', () => {
  let dataDir: string;
  let work: string;
  let hark: HarkProcess | null = null;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hark-restart-'));
    work = await mkdtemp(join(tmpdir(), 'hark-restart-audio-'));
  });
  after(async () => {
    await hark?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  test('a job processing when the process is killed completes after restart; orphans are cleaned', async () => {
    const utterances = librivoxUtterances();
    const long = join(work, 'long.wav');
    // 24 s of speech: seconds of processing on any machine, so the kill comes mid-job.
    const inputs = utterances.flatMap((u) => ['-i', u.wavPath]);
    execFileSync('ffmpeg', [
      '-nostdin', '-v', 'error', '-y', ...inputs,
      '-filter_complex', `concat=n=${utterances.length}:v=0:a=1`, long,
    ]);
    const reference = utterances.map((u) => u.reference).join(' ');

    hark = await startHark(ONE_WORKER_ENV, dataDir);
    let client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    const file = await client.files.upload(await readFile(long), { filename: 'long.wav' });
    const first = await client.stt.create({ model: 'stt-async-v4', file_id: file.id });
    const second = await client.stt.create({ model: 'stt-async-v4', file_id: file.id });
    await waitFor(async () => (await api(hark!, 'GET', `/v1/transcriptions/${first.id}`)).body.status === 'processing', 30_000, 20);
    assert.equal((await api(hark, 'GET', `/v1/transcriptions/${second.id}`)).body.status, 'queued');
    await hark.crash();

    // What a crash mid-upload leaves behind: a partial upload and bytes without metadata.
    await writeFile(join(dataDir, 'blobs', '.incoming', 'half-written.part'), Buffer.alloc(1000));
    const orphan = '0b1c2d3e-4f50-4617-8899-aabbccddeeff';
    await writeFile(join(dataDir, 'blobs', orphan), Buffer.alloc(1000));

    hark = await startHark(ONE_WORKER_ENV, dataDir);
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    for (const t of [first, second]) {
      const done = await waitFor(async () => {
        const res = await api(hark!, 'GET', `/v1/transcriptions/${t.id}`);
        return res.body.status === 'completed' || res.body.status === 'error' ? res.body : null;
      }, 600_000, 250); // on a machine busy with other work recognition may get a small share
      assert.equal(done.status, 'completed', done.error_message);
      const transcript = await api(hark, 'GET', `/v1/transcriptions/${t.id}/transcript`);
      const wer = wordErrorRate(reference, transcript.body.text);
      assert.ok(wer < 0.5, `WER ${wer}`);
    }

    assert.deepEqual(await readdir(join(dataDir, 'blobs', '.incoming')), []);
    const blobs = (await readdir(join(dataDir, 'blobs'))).filter((n) => !n.startsWith('.'));
    assert.deepEqual(blobs, [file.id]);
    const files = await client.files.list();
    assert.deepEqual(files.files.map((f) => f.id), [file.id]);
  });
});
