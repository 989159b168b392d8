/**
 * Several Hark nodes on one PostgreSQL and one blob dir: two API nodes and
 * two worker processes, real PocketSphinx, the official SDK as the client.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import WebSocket from 'ws';
import { wordErrorRate } from '../../src/lib/wer.js';
import { pcmWavHeader } from '../../src/pipeline/decode/samples.test-helper.js';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';
import { sharedPostgres, type PostgresCluster } from '../support/postgres.js';
import { speechPcm } from '../support/speech-audio.js';

const HARK_CLI = fileURLToPath(new URL('../../src/cli/hark.js', import.meta.url));
const MODEL = 'stt-rt-v4';
const PROJECT_BUSY = 'Your project has exceeded max number of concurrent requests.';
const PROJECT_RATE = 'Rate limit for your project has been exceeded.';
const INVALID_TEMPORARY_KEY = 'Invalid/expired temporary API key.';

/** The first `count` LibriVox utterances end to end (≈8 s each): long enough for a job to be caught running. */
async function longSpeech(dir: string, count: number): Promise<{ path: string; reference: string }> {
  const utterances = librivoxUtterances().slice(0, count);
  const pcm = Buffer.concat(await Promise.all(utterances.map(async (u) => (await readFile(u.wavPath)).subarray(44))));
  const path = join(dir, `speech-${count}.wav`);
  await writeFile(path, Buffer.concat([pcmWavHeader(16_000, 1, pcm.length), pcm]));
  return { path, reference: utterances.map((u) => u.reference).join(' ') };
}

/** A live session kept open with keepalives; `first` is the first message the server sent. */
async function holdSession(url: string, apiKey: string) {
  const ws = new WebSocket(url);
  const messages: any[] = [];
  const first = new Promise<any>((resolve) =>
    ws.on('message', (data) => {
      messages.push(JSON.parse(data.toString()));
      if (messages.length === 1) resolve(messages[0]);
    }),
  );
  const closed = new Promise<number>((resolve) => ws.on('close', resolve));
  ws.on('error', () => {});
  await once(ws, 'open');
  ws.send(JSON.stringify({ api_key: apiKey, model: MODEL, audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }));
  // An admitted session answers once there is speech to recognise; a refused one at once.
  ws.send(speechPcm([4], 0).subarray(0, 32 * 1500));
  const keepalive = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"keepalive"}'), 1000);
  void closed.then(() => clearInterval(keepalive));
  return {
    first: await first,
    messages,
    send: (frame: Buffer) => ws.send(frame),
    async end(): Promise<number> {
      if (ws.readyState === WebSocket.OPEN) ws.send('');
      return closed;
    },
  };
}

/** The error a session start was refused with, or null when it was admitted (then ended). */
async function startOutcome(url: string, apiKey: string): Promise<string | null> {
  const session = await holdSession(url, apiKey);
  if ('error_code' in session.first) return session.first.error_message as string;
  await session.end();
  return null;
}

describe('a cluster: two API nodes and two workers on one PostgreSQL and one blob dir', () => {
  let postgres: PostgresCluster;
  let work: string;
  let blobDir: string;
  let common: Record<string, string>;
  let nodeA: HarkProcess;
  let nodeB: HarkProcess;
  let workers: HarkProcess[];
  let clientA: SonioxNodeClient;
  let clientB: SonioxNodeClient;
  let speech: { path: string; reference: string };
  const webhooks: { id: string; status: string }[] = [];
  let hooks: Server;
  let hookUrl: string;

  const apiEnv = () => ({ ...common, HARK_ROLE: 'api', HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1' });
  // Workers drain running jobs on SIGTERM for up to a minute.
  const workerEnv = () => ({ ...common, HARK_ROLE: 'worker', HARK_WORKERS: '1', HARK_SHUTDOWN_GRACE_MS: '60000' });
  const startNode = async (env: Record<string, string>) => startHark(env, await mkdtemp(join(work, 'node-')));
  const sdk = (node: HarkProcess, apiKey = node.apiKey) => new SonioxNodeClient({ api_key: apiKey, base_url: node.baseUrl });

  /** A project with its own limits and a key of it, made with the CLI against the cluster's database. */
  async function projectKey(project: string, limits: string[]): Promise<string> {
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [HARK_CLI, ...args], { env: { ...process.env, ...common, HARK_DATA_DIR: nodeA.dataDir } });
    await cli('projects', 'create', project, ...limits);
    return (await cli('keys', 'create', '--project', project)).stdout.trim();
  }

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'hark-cluster-'));
    blobDir = join(work, 'blobs');
    postgres = await sharedPostgres();
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        webhooks.push(JSON.parse(body));
        res.end('ok');
      });
    });
    hooks.listen(0, '127.0.0.1');
    await once(hooks, 'listening');
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    common = {
      HARK_DATABASE_URL: await postgres.createDatabase(),
      HARK_BLOB_DIR: blobDir,
      HARK_WEBHOOK_BACKOFF_MS: '200',
    };
    // Four nodes starting at once also run the migrations at once.
    [nodeA, nodeB, ...workers] = await Promise.all([startNode(apiEnv()), startNode(apiEnv()), startNode(workerEnv()), startNode(workerEnv())]);
    clientA = sdk(nodeA);
    clientB = sdk(nodeB);
    speech = await longSpeech(work, 3);
  });

  after(async () => {
    await Promise.all([nodeA, nodeB, ...workers].filter(Boolean).map((node) => node.dispose()));
    hooks?.close();
    await rm(work, { recursive: true, force: true });
  });

  test('a worker serves only its health probe', async () => {
    const health = await fetch(`${workers[0]!.baseUrl}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', role: 'worker', running_jobs: 0 });
    const files = await api(workers[0]!, 'GET', '/v1/files');
    assert.equal(files.status, 404);
    assert.equal(files.body.error_type, 'not_found');
  });

  test('uploaded on node A, read, linked and transcribed through node B', async () => {
    const u = librivoxUtterances()[0]!;
    const bytes = await readFile(u.wavPath);
    const file = await clientA.files.upload(bytes, { filename: 'a.wav' });
    const seen = await clientB.files.get(file.id);
    assert.equal(seen?.size, bytes.length);
    // A link signed by node A verifies on node B: the secret is the shared blob dir's.
    const link = await api(nodeA, 'GET', `/v1/files/${file.id}/url`);
    const download = await fetch(link.body.url.replace(nodeA.baseUrl, nodeB.baseUrl));
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);

    const created = await clientB.stt.create({ model: 'stt-async-v4', file_id: file.id });
    const done = await clientA.stt.wait(created.id, { interval_ms: 500, timeout_ms: 120_000 });
    assert.equal(done.status, 'completed');
    const transcript = await clientB.stt.getTranscript(created.id);
    const wer = wordErrorRate(u.reference, transcript!.text);
    assert.ok(wer < 0.5, `"${transcript!.text}" vs "${u.reference}": WER ${wer}`);
  });

  test('a worker killed mid-job: the other completes it, with one webhook and one usage record', async () => {
    const created = await clientA.stt.create({
      model: 'stt-async-v4',
      file_id: (await clientA.files.upload(await readFile(speech.path), { filename: 'long.wav' })).id,
      webhook_url: hookUrl,
    });
    // Whichever worker took it is killed while it runs.
    const busy = await waitFor(async () => {
      for (const worker of workers) {
        const health = (await (await fetch(`${worker.baseUrl}/health`)).json()) as { running_jobs: number };
        if (health.running_jobs > 0) return worker;
      }
      return null;
    }, 60_000, 50);
    await busy.crash();
    const survivor = workers.find((w) => w !== busy)!;
    workers = [survivor];
    const done = await clientB.stt.wait(created.id, { interval_ms: 500, timeout_ms: 150_000 });
    assert.equal(done.status, 'completed');
    const transcript = await clientA.stt.getTranscript(created.id);
    const wer = wordErrorRate(speech.reference, transcript!.text);
    assert.ok(wer < 0.5, `WER ${wer}: ${transcript!.text}`);
    await waitFor(async () => webhooks.some((w) => w.id === created.id), 30_000);
    // A late duplicate would arrive within the backoff; give it time to show.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(webhooks.filter((w) => w.id === created.id).length, 1);
    const usage = await api(nodeB, 'GET', `/v1/usage-logs?start_time=2000-01-01T00:00:00Z&end_time=2100-01-01T00:00:00Z`);
    assert.equal(usage.status, 200);
    assert.equal(usage.body.usage_logs.filter((l: any) => l.hark_transcription_id === created.id).length, 1);
  });

  test('an API node killed during an upload leaves nothing half-listed', async () => {
    const before = (await api(nodeA, 'GET', '/v1/files/count')).body.total as number;
    const boundary = 'cut';
    const body = new ReadableStream<Uint8Array>({
      async start(stream) {
        stream.enqueue(new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.wav"\r\n\r\n`));
        stream.enqueue(new Uint8Array(512 * 1024));
      },
    });
    const upload = fetch(`${nodeB.baseUrl}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${nodeB.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit).catch(() => null);
    // The bytes are on disk, in node B's temp file, when it dies.
    await waitFor(async () => (await readdir(join(blobDir, '.incoming'))).length > 0, 30_000, 20);
    const env = nodeB.env;
    await nodeB.crash();
    await upload;
    assert.equal((await api(nodeA, 'GET', '/v1/files/count')).body.total, before);
    // Node B back: its start-up repair runs while the cluster goes on.
    nodeB = await startHark(env, nodeB.dataDir);
    clientB = sdk(nodeB);
    assert.equal((await api(nodeB, 'GET', '/v1/files/count')).body.total, before);
    const listed = await clientB.files.list();
    for (const file of listed.files) assert.ok((await readdir(blobDir)).includes(file.id), `${file.id} has its bytes`);
  });

  test('file and transcription quotas hold with two nodes racing', async () => {
    const key = await projectKey('quotas', ['--max-files', '3', '--max-pending-transcriptions', '2']);
    const [a, b] = [sdk(nodeA, key), sdk(nodeB, key)];
    const uploads = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).files.upload(Buffer.alloc(1000, i), { filename: `${i}.wav` })));
    assert.equal(uploads.filter((r) => r.status === 'fulfilled').length, 3);
    const fileId = (uploads.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>).value.id;
    // Queued transcriptions stay pending only while no worker runs: the rest of the file runs without workers until the drain test.
    const stopped = workers.splice(0);
    await Promise.all(stopped.map((w) => w.stop()));
    const creates = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api({ baseUrl: (i % 2 ? nodeA : nodeB).baseUrl, apiKey: key }, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', file_id: fileId } })),
    );
    assert.deepEqual(creates.map((c) => c.status).sort(), [201, 201, 400, 400, 400, 400]);
    for (const refused of creates.filter((c) => c.status === 400)) assert.match(refused.body.message, /pending/i);
    // The next worker would take them first.
    for (const c of creates.filter((c) => c.status === 201)) await sdk(nodeA, key).stt.delete(c.body.id);
  });

  test('a single-use temporary key starts one session, however many nodes it is tried on at once', async () => {
    const key = await projectKey('single-use', []);
    const minted = await api({ baseUrl: nodeA.baseUrl, apiKey: key }, 'POST', '/v1/auth/temporary-api-key', {
      body: { usage_type: 'transcribe_websocket', expires_in_seconds: 300, single_use: true },
    });
    assert.equal(minted.status, 201);
    const sessions = await Promise.all([nodeA, nodeB, nodeA, nodeB].map((node) => holdSession(node.wsUrl, minted.body.api_key)));
    const refusals = sessions.map((s) => ('error_code' in s.first ? s.first.error_message : null));
    assert.deepEqual(refusals.filter((r) => r === null).length, 1, JSON.stringify(refusals));
    assert.ok(refusals.every((r) => r === null || r === INVALID_TEMPORARY_KEY), JSON.stringify(refusals));
    await Promise.all(sessions.map((s) => s.end()));
  });

  test('sessions open at once and starts per minute are limited over both nodes', async () => {
    const busyKey = await projectKey('sessions', ['--max-concurrent-sessions', '2']);
    const held = await Promise.all([nodeA, nodeB, nodeA, nodeB].map((node) => holdSession(node.wsUrl, busyKey)));
    const outcomes = held.map((s) => ('error_code' in s.first ? s.first.error_message : null));
    assert.equal(outcomes.filter((o) => o === null).length, 2, JSON.stringify(outcomes));
    assert.ok(outcomes.every((o) => o === null || o === PROJECT_BUSY), JSON.stringify(outcomes));
    await Promise.all(held.map((s) => s.end()));

    const rateKey = await projectKey('rate', ['--requests-per-minute', '3']);
    const starts = await Promise.all([nodeA, nodeB, nodeA, nodeB, nodeA, nodeB].map((node) => startOutcome(node.wsUrl, rateKey)));
    assert.equal(starts.filter((s) => s === PROJECT_RATE).length, 3, JSON.stringify(starts));
  });

  test('the database out of reach: REST answers 503, a live session goes on, the nodes reconnect by themselves', async () => {
    // A worker lives through the outage too; the next test gives it a job.
    workers.push(await startNode(workerEnv()));
    const live = await holdSession(nodeA.wsUrl, nodeA.apiKey);
    assert.ok(!('error_code' in live.first), JSON.stringify(live.first));
    postgres.kill();
    try {
      for (const node of [nodeA, nodeB]) {
        const down = await api(node, 'GET', '/v1/files');
        assert.equal(down.status, 503);
        assert.equal(down.body.error_type, 'service_unavailable');
        assert.equal(down.body.status_code, 503);
        assert.ok(down.body.request_id);
      }
      // Audio still flows and is still recognised.
      const before = live.messages.length;
      for (const chunk of [speechPcm([1], 0)]) for (let i = 0; i < chunk.length; i += 3200) live.send(chunk.subarray(i, i + 3200));
      await waitFor(async () => live.messages.slice(before).some((m) => (m.tokens ?? []).length > 0), 60_000);
      assert.ok(live.messages.every((m) => !('error_code' in m)), JSON.stringify(live.messages.at(-1)));
    } finally {
      await postgres.restart();
    }
    for (const node of [nodeA, nodeB]) await waitFor(async () => (await api(node, 'GET', '/v1/files')).status === 200, 60_000, 250);
    assert.equal(await live.end(), 1000);
  });

  test('SIGTERM drains: a worker finishes its running job before it exits', async () => {
    const worker = workers[0]!;
    const created = await clientA.stt.create({
      model: 'stt-async-v4',
      file_id: (await clientA.files.upload(await readFile((await longSpeech(work, 2)).path), { filename: 'drain.wav' })).id,
    });
    await waitFor(async () => ((await (await fetch(`${worker.baseUrl}/health`)).json()) as { running_jobs: number }).running_jobs > 0, 60_000, 50).catch(
      (err: unknown) => assert.fail(`the worker took no job after the outage: ${String(err)}\n${worker.output()}`),
    );
    await worker.stop();
    assert.equal(worker.child.exitCode, 0, worker.output());
    // No other worker runs now: the job was completed by the one that was told to stop.
    assert.equal((await clientB.stt.get(created.id))?.status, 'completed');
  });
});
