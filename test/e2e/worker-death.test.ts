// A recognition worker process that dies for a reason of its own (here: killed
// from outside) is replaced, and its transcription runs again instead of
// failing with internal_error (docs/security/shutdown.md). A file that kills its
// worker every time is tested with scripted workers in src/jobs/job-runner.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { wordErrorRate } from '../../src/lib/wer.js';
import { librivoxUtterances } from '../support/librivox.js';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';

/** Process ids of the server's recognition worker processes. */
function recognitionWorkers(hark: HarkProcess): number[] {
  return children(hark.child.pid!).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/jobs/recognition-worker.js');
    } catch {
      return false;
    }
  });
}

function children(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}


describe('recognition worker deaths', () => {
  let work: string;
  let long: string;
  let reference: string;
  let hark: HarkProcess | null = null;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'hark-worker-death-'));
    const utterances = librivoxUtterances();
    const inputs = utterances.flatMap((u) => ['-i', u.wavPath]);
    long = join(work, 'long.wav');
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...inputs, '-filter_complex', `concat=n=${utterances.length}:v=0:a=1`, long]);
    reference = utterances.map((u) => u.reference).join(' ');
  });
  after(async () => {
    await hark?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  test('a recognition worker killed mid-job: the transcription runs again and completes', async () => {
    hark = await startHark({ HARK_WORKERS: '1' });
    const form = new FormData();
    form.append('file', new Blob([await readFile(long)]), 'speech.wav');
    const upload = await fetch(`${hark.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${hark.apiKey}` }, body: form });
    const file = (await upload.json()) as { id: string };
    const id = (await api(hark, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', file_id: file.id } })).body.id as string;
    const statusOf = async () => (await api(hark!, 'GET', `/v1/transcriptions/${id}`)).body;
    await waitFor(async () => (await statusOf()).status === 'processing', 60_000, 20);
    // The worker is busy once its ffmpeg decoder runs.
    const [worker] = await waitFor(async () => {
      const workers = recognitionWorkers(hark!);
      return workers.length === 1 && children(workers[0]!).length > 0 ? workers : null;
    }, 60_000, 20);
    process.kill(worker!, 'SIGKILL');
    const done = await waitFor(async () => {
      const body = await statusOf();
      return body.status === 'completed' || body.status === 'error' ? body : null;
    }, 240_000, 250);
    assert.equal(done.status, 'completed', done.error_message);
    const transcript = await api(hark, 'GET', `/v1/transcriptions/${id}/transcript`);
    const wer = wordErrorRate(reference, transcript.body.text);
    assert.ok(wer < 0.5, `WER ${wer}`);
    assert.match(hark.output(), /recognition worker died; the transcription runs again, alone/);
    assert.notDeepEqual(recognitionWorkers(hark), [worker], 'the worker was replaced');
    assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
  });
});
