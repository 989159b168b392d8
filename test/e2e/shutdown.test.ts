// SIGTERM drains: uploads, running jobs and live sessions get the grace
// period, jobs still running are requeued without using up their attempts,
// and the process exits 0 (docs/security/shutdown.md).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { wordErrorRate } from '../../src/lib/wer.js';
import { librivoxUtterances } from '../support/librivox.js';
import { ONE_WORKER_ENV, api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';
import { slices } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';

const SHUTDOWN_503 =
  'Cannot continue request (code 2). Please restart the request. Refer to: https://soniox.com/url/cannot-continue-request';

/** Resolves with the process's exit code once it has exited. */
function exitCode(hark: HarkProcess): Promise<number | null> {
  if (hark.child.exitCode !== null || hark.child.signalCode !== null) return Promise.resolve(hark.child.exitCode);
  return new Promise((resolve) => hark.child.once('exit', (code) => resolve(code)));
}

async function uploadAndTranscribe(hark: HarkProcess, path: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([await readFile(path)]), 'speech.wav');
  const upload = await fetch(`${hark.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${hark.apiKey}` }, body: form });
  assert.equal(upload.status, 201);
  const file = (await upload.json()) as { id: string };
  const created = await api(hark, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', file_id: file.id } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id as string;
}

const statusOf = async (hark: HarkProcess, id: string) => (await api(hark, 'GET', `/v1/transcriptions/${id}`)).body;

function ended(hark: HarkProcess, id: string, timeoutMs = 240_000) {
  return waitFor(async () => {
    const body = await statusOf(hark, id);
    return body.status === 'completed' || body.status === 'error' ? body : null;
  }, timeoutMs, 250);
}

describe('graceful shutdown', () => {
  let work: string;
  let long: string;
  let reference: string;
  const dataDirs: string[] = [];
  let hark: HarkProcess | null = null;

  const freshDataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hark-shutdown-'));
    dataDirs.push(dir);
    return dir;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'hark-shutdown-audio-'));
    const utterances = librivoxUtterances();
    const inputs = utterances.flatMap((u) => ['-i', u.wavPath]);
    long = join(work, 'long.wav');
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...inputs, '-filter_complex', `concat=n=${utterances.length}:v=0:a=1`, long]);
    reference = utterances.map((u) => u.reference).join(' ');
  });
  afterEach(async () => {
    await hark?.stop();
    hark = null;
  });
  after(async () => {
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  test('three SIGTERMs during one long transcription: each exits 0, and the transcription still completes', async () => {
    const dataDir = await freshDataDir();
    const env = { ...ONE_WORKER_ENV, HARK_SHUTDOWN_GRACE_MS: '1500' };
    hark = await startHark(env, dataDir);
    const id = await uploadAndTranscribe(hark, long);
    for (let restart = 0; restart < 3; restart++) {
      await waitFor(async () => (await statusOf(hark!, id)).status === 'processing', 60_000, 20);
      await hark.stop();
      assert.equal(hark.child.exitCode, 0, hark.output());
      assert.match(hark.output(), /shutdown grace period over/);
      hark = await startHark(env, dataDir);
    }
    const done = await ended(hark, id);
    assert.equal(done.status, 'completed', done.error_message);
    const transcript = await api(hark, 'GET', `/v1/transcriptions/${id}/transcript`);
    const wer = wordErrorRate(reference, transcript.body.text);
    assert.ok(wer < 0.5, `WER ${wer}`);
  });

  test('a transcription running at SIGTERM finishes within the grace, and the process exits once it has', async () => {
    const dataDir = await freshDataDir();
    const env = { ...ONE_WORKER_ENV, HARK_SHUTDOWN_GRACE_MS: '120000' };
    hark = await startHark(env, dataDir);
    const id = await uploadAndTranscribe(hark, librivoxUtterances()[0]!.wavPath);
    await waitFor(async () => (await statusOf(hark!, id)).status === 'processing', 60_000, 20);
    const began = performance.now();
    await hark.stop();
    assert.equal(hark.child.exitCode, 0, hark.output());
    assert.ok(performance.now() - began < 120_000, 'it did not wait for the whole grace period');
    hark = await startHark(env, dataDir);
    const body = await statusOf(hark, id);
    assert.equal(body.status, 'completed', 'completed before the exit, not after the restart');
  });

  test('an upload in progress at SIGTERM completes (201) and is listed after restart; new connections are refused', async () => {
    const dataDir = await freshDataDir();
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_SHUTDOWN_GRACE_MS: '60000', HARK_LOG_LEVEL: 'info' }, dataDir);
    const content = await readFile(librivoxUtterances()[0]!.wavPath);
    const head = Buffer.from(
      '--b0undary\r\nContent-Disposition: form-data; name="file"; filename="slow.wav"\r\nContent-Type: audio/wav\r\n\r\n',
    );
    const tail = Buffer.from('\r\n--b0undary--\r\n');
    const req = request(`${hark.baseUrl}/v1/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${hark.apiKey}`,
        'content-type': 'multipart/form-data; boundary=b0undary',
        'content-length': head.length + content.length + tail.length,
        // The server answers 100 once it has the request headers: the request is then in progress.
        expect: '100-continue',
      },
    });
    const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', reject);
    });
    await new Promise<void>((resolve) => req.once('continue', () => resolve()));
    const half = Math.floor(content.length / 2);
    req.write(head);
    req.write(content.subarray(0, half));

    const exited = exitCode(hark);
    hark.child.kill('SIGTERM');
    await waitFor(async () => /shutting down/.test(hark!.output()), 30_000, 20);
    await assert.rejects(fetch(`${hark.baseUrl}/v1/models`), 'no new connections while draining');

    req.end(Buffer.concat([content.subarray(half), tail]));
    const uploaded = await response;
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    assert.equal(uploaded.body.size, content.length);
    assert.equal(await exited, 0, hark.output());

    hark = await startHark(ONE_WORKER_ENV, dataDir);
    const listed = await api(hark, 'GET', '/v1/files');
    assert.deepEqual(listed.body.files.map((f: { id: string }) => f.id), [uploaded.body.id]);
  });

  test('a second SIGTERM ends the grace period at once: the live session gets its 503, the process exits 0', async () => {
    const graceMs = 120_000;
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_SHUTDOWN_GRACE_MS: String(graceMs), HARK_LOG_LEVEL: 'info' }, await freshDataDir());
    const ws = new WebSocket(hark.wsUrl);
    const received: any[] = [];
    ws.on('message', (data) => received.push(JSON.parse(data.toString())));
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(
      JSON.stringify({ api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }),
    );
    const frames = slices(speechPcm(), 3840);
    const streaming = (async () => {
      for (let i = 0; ws.readyState === WebSocket.OPEN; i++) {
        ws.send(frames[i % frames.length]!);
        await new Promise((r) => setTimeout(r, 120));
      }
    })();
    await waitFor(async () => received.length > 0, 60_000, 20);

    const exited = exitCode(hark);
    const began = performance.now();
    hark.child.kill('SIGTERM');
    await waitFor(async () => /shutting down/.test(hark!.output()), 30_000, 20);
    hark.child.kill('SIGTERM');
    await closed;
    await streaming;
    assert.equal(await exited, 0, hark.output());
    assert.ok(performance.now() - began < graceMs / 2, 'it did not wait for the grace period');
    assert.deepEqual(received.at(-1), { tokens: [], error_code: 503, error_message: SHUTDOWN_503 });
    assert.match(hark.output(), /second signal: ending the shutdown grace period now/);
  });

  test('a live session keeps getting results through the grace period, then gets 503; the process exits 0', async () => {
    const graceMs = 6000;
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_SHUTDOWN_GRACE_MS: String(graceMs) }, await freshDataDir());
    const ws = new WebSocket(hark.wsUrl);
    const received: { at: number; message: any }[] = [];
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    ws.on('message', (data) => received.push({ at: performance.now(), message: JSON.parse(data.toString()) }));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(
      JSON.stringify({ api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }),
    );
    // Real-time pace, as a microphone sends: the docs' 3840-byte frames every 120 ms, looped until the server closes.
    const frames = slices(speechPcm(), 3840);
    const streaming = (async () => {
      for (let i = 0; ws.readyState === WebSocket.OPEN; i++) {
        ws.send(frames[i % frames.length]!);
        await new Promise((r) => setTimeout(r, 120));
      }
    })();
    const spoken = (m: any) => Array.isArray(m.tokens) && m.tokens.some((t: any) => t.text.trim() !== '');
    await waitFor(async () => received.some((r) => spoken(r.message)), 60_000, 20);

    const exited = exitCode(hark);
    const signalledAt = performance.now();
    hark.child.kill('SIGTERM');
    await closed;
    await streaming;
    assert.equal(await exited, 0, hark.output());

    const last = received.at(-1)!;
    assert.deepEqual(last.message, { tokens: [], error_code: 503, error_message: SHUTDOWN_503 });
    assert.ok(last.at - signalledAt >= graceMs, `the 503 came ${Math.round(last.at - signalledAt)} ms after SIGTERM`);
    const during = received.slice(0, -1).filter((r) => r.at > signalledAt && spoken(r.message));
    assert.ok(during.length > 0, 'results went on after SIGTERM');
  });
});
