import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import WebSocket from 'ws';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { assertWellFormed, errorOf, runSession, slices } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

const MODEL = 'stt-rt-v4';
/** `a` is HARK_API_KEYS's (the default project); the others are keys of their own projects, made with the CLI. */
const KEYS = { a: 'hark-key-a-0123456789', b: '', c: '', d: '' };
const HARK_CLI = fileURLToPath(new URL('../../src/cli/hark.js', import.meta.url));

async function projectKey(dataDir: string, project: string): Promise<string> {
  const cli = (...args: string[]) => promisify(execFile)(process.execPath, [HARK_CLI, ...args, '--data-dir', dataDir]);
  await cli('projects', 'create', project);
  return (await cli('keys', 'create', '--project', project)).stdout.trim();
}
const start = (apiKey: string) => ({ api_key: apiKey, model: MODEL, audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 });
const speech = () => speechPcm([4], 0).subarray(0, 32 * 1500);
const PROJECT_BUSY = 'Your project has exceeded max number of concurrent requests.';
const SERVER_BUSY = 'Your organization has exceeded max number of concurrent requests.';
const PROJECT_RATE = 'Rate limit for your project has been exceeded.';
const THROTTLED = 'Rate limit for your organization has been exceeded.';

/** A session that stays open (keepalives) until `end()`; `first` is the first message the server sent. */
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
  await once(ws, 'open');
  ws.send(JSON.stringify(start(apiKey)));
  ws.send(speech());
  const keepalive = setInterval(() => ws.send('{"type":"keepalive"}'), 1000);
  void closed.then(() => clearInterval(keepalive));
  return {
    first: await first,
    async end() {
      ws.send('');
      const closeCode = await closed;
      return { received: messages.map((message) => ({ at: 0, message })), sentAt: [], closeCode, protocol: '' };
    },
  };
}

describe('real-time limits count authenticated keys only, per project', () => {
  let hark: HarkProcess;
  /** The error frame a session must be refused with, then a normal close. */
  async function refused(apiKey: string): Promise<string> {
    const run = await runSession(hark.wsUrl, { start: start(apiKey), frames: [speech()], timeoutMs: 60_000 });
    assert.equal(run.closeCode, 1000);
    const error = errorOf(run);
    assert.equal(error.error_code, 429);
    return error.error_message;
  }
  const admitted = async (apiKey: string) =>
    assertWellFormed(await runSession(hark.wsUrl, { start: start(apiKey), frames: [...slices(speech(), 16_000), ''], timeoutMs: 60_000 }));

  before(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hark-test-'));
    for (const name of ['b', 'c', 'd'] as const) KEYS[name] = await projectKey(dataDir, `project-${name}`);
    hark = await startHark({
      HARK_API_KEYS: KEYS.a,
      HARK_MAX_SESSIONS_PER_KEY: '1',
      HARK_MAX_CONCURRENT_SESSIONS: '2',
      HARK_REQUESTS_PER_MINUTE: '4',
    }, dataDir);
  });
  after(async () => {
    await hark.dispose();
    await rm(hark.dataDir, { recursive: true, force: true });
  });

  test('120 starts with wrong keys get 401 and then 429, and a valid key from the same address is admitted at once', async () => {
    const wrong = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? `temp:WRONG${i}` : `wrong-key-${i}`));
    const answers = await Promise.all(
      wrong.map(async (apiKey) => {
        const run = await runSession(hark.wsUrl, { start: start(apiKey), timeoutMs: 60_000 });
        assert.equal(run.closeCode, 1000);
        return errorOf(run);
      }),
    );
    const unauthenticated = answers.filter((a) => a.error_code === 401);
    const throttled = answers.filter((a) => a.error_code === 429);
    assert.equal(unauthenticated.length + throttled.length, 120);
    // The default budget is 30 a minute; a slow run may straddle two windows.
    assert.ok(unauthenticated.length >= 30, `${unauthenticated.length} answered 401`);
    assert.ok(throttled.length > 0, 'wrong keys are throttled');
    for (const a of unauthenticated) assert.match(a.error_message, /^Invalid( API key\.|\/expired temporary API key\.)$/);
    for (const a of throttled) assert.equal(a.error_message, THROTTLED);

    const client = new SonioxNodeClient({ api_key: 'wrong-key', base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    const session = client.realtime.stt({ model: MODEL, audio_format: 'auto' });
    const failed = new Promise<Error>((resolve) => session.on('error', resolve));
    await session.connect();
    assert.equal((await failed).name, 'QuotaError', 'the SDK sees the throttle as a quota error');

    await admitted(KEYS.c);
  });

  test("sessions per project, a temporary key counting as its issuer's project, and sessions over all projects", async () => {
    const a = await holdSession(hark.wsUrl, KEYS.a);
    assert.ok(!('error_code' in a.first), JSON.stringify(a.first));
    assert.equal(await refused(KEYS.a), PROJECT_BUSY);

    const minted = await api({ ...hark, apiKey: KEYS.a }, 'POST', '/v1/auth/temporary-api-key', {
      body: { usage_type: 'transcribe_websocket', expires_in_seconds: 300, single_use: true },
    });
    assert.equal(minted.status, 201);
    const temporary = minted.body.api_key as string;
    assert.equal(await refused(temporary), PROJECT_BUSY, 'a temporary key counts against the key that minted it');

    const b = await holdSession(hark.wsUrl, KEYS.b);
    assert.ok(!('error_code' in b.first), JSON.stringify(b.first));
    assert.equal(await refused(KEYS.c), SERVER_BUSY);

    assertWellFormed(await a.end());
    assertWellFormed(await b.end());
    // Neither a limit nor a bad request used up the single-use key.
    const bad = await runSession(hark.wsUrl, { start: { ...start(temporary), model: 'stt-rt-v99' }, timeoutMs: 60_000 });
    assert.equal(errorOf(bad).error_message, 'Invalid model specified.');
    await admitted(temporary);
  });

  test('starts per minute are counted per project', async () => {
    const d = await holdSession(hark.wsUrl, KEYS.d);
    assert.ok(!('error_code' in d.first), JSON.stringify(d.first));
    for (let i = 0; i < 3; i++) assert.equal(await refused(KEYS.d), PROJECT_BUSY);
    assert.equal(await refused(KEYS.d), PROJECT_RATE);
    assertWellFormed(await d.end());
    await admitted(KEYS.b);
  });
});
