/**
 * Pre-connected sockets, as the Python SDK's pool keeps them: opened early,
 * kept with `{"type": "keepalive"}` every 5 s, started when a session needs
 * one (issue 12). The SDK cannot be installed here; `PythonSdkPool` sends
 * what it sends (test/support/python-sdk.ts).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { wordErrorRate } from '../../src/lib/wer.js';
import { librivoxUtterances } from '../support/librivox.js';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import { type PooledLink, PythonSdkPool } from '../support/python-sdk.js';
import { slices } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';

const CONFIG = { model: 'stt-rt-v4', audio_format: 'pcm_s16le', num_channels: 1, sample_rate: 16000 };
const SHUTDOWN_503 = 'Cannot continue request (code 2). Please restart the request. Refer to: https://soniox.com/url/cannot-continue-request';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streams utterances `indexes` on a started link at twice real time, finishes, and returns the final text. */
async function speak(link: PooledLink, indexes: number[]): Promise<string> {
  // 3840 bytes (120 ms) every 60 ms.
  for (const chunk of slices(speechPcm(indexes, 600), 3840)) {
    link.sendAudio(chunk);
    await sleep(60);
  }
  link.finish();
  assert.equal(await link.closed, 1000, JSON.stringify(link.messages.at(-1)));
  const last = link.messages.at(-1);
  assert.ok(!('error_code' in last), JSON.stringify(last));
  assert.equal(last.finished, true);
  return link.messages
    .flatMap((m) => m.tokens)
    .filter((t) => t.is_final && t.text !== '<end>' && t.text !== '<fin>')
    .map((t) => t.text)
    .join('');
}

function assertHeard(text: string, indexes: number[], label: string): void {
  const all = librivoxUtterances();
  const reference = indexes.map((i) => all[i]!.reference).join(' ');
  const wer = wordErrorRate(reference, text);
  console.log(`${label}: WER ${(wer * 100).toFixed(1)}% against the reference: ${text}`);
  assert.ok(wer <= 0.5, `${label}: "${text}" for "${reference}"`);
}

/**
 * Opens a socket with no start message (from `localAddress`), resolving once it is open.
 * With `keepaliveMs` it sends a keepalive that often until it starts (`stopKeepalive`) or closes.
 */
async function openRaw(url: string, options: { localAddress?: string; keepaliveMs?: number } = {}) {
  const ws = new WebSocket(url, options.localAddress ? { localAddress: options.localAddress } : {});
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  ws.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const stopKeepalive = () => clearInterval(timer);
  const closed = new Promise<number>((resolve) =>
    ws.on('close', (code) => {
      stopKeepalive();
      resolve(code);
    }),
  );
  await once(ws, 'open');
  if (options.keepaliveMs) timer = setInterval(() => ws.send('{"type":"keepalive"}'), options.keepaliveMs);
  return { ws, messages, closed, stopKeepalive };
}

describe('pre-connected sockets: the Python SDK pool with the default timeouts', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark();
  });
  after(() => hark.dispose());

  test('five links kept for 25 s with keepalives (past the 10 s start timeout) serve sessions one after another and two at once', async () => {
    const pool = new PythonSdkPool(hark.wsUrl, hark.apiKey);
    await pool.warmup();
    await sleep(25_000);
    for (const link of pool.idle) {
      assert.ok(link.open, `closed with ${JSON.stringify(link.messages)}`);
      assert.ok(link.keepalivesSent >= 4, `${link.keepalivesSent} keepalives`);
      assert.deepEqual(link.messages, [], 'nothing is sent to a waiting socket');
    }

    // The report: the first session worked and every later one failed.
    for (const [i, indexes] of [[0], [1], [2]].entries()) {
      const link = await pool.startSession(CONFIG);
      assertHeard(await speak(link, indexes), indexes, `pooled session ${i + 1}`);
    }
    const [a, b] = await Promise.all([pool.startSession(CONFIG), pool.startSession(CONFIG)]);
    const [textA, textB] = await Promise.all([speak(a!, [3]), speak(b!, [4])]);
    assertHeard(textA, [3], 'concurrent session A');
    assertHeard(textB, [4], 'concurrent session B');

    await pool.refilled();
    assert.equal(pool.idle.length, 5);
    assert.ok(pool.idle.every((link) => link.open));
    await pool.close();
  });
});

describe('pre-connected sockets: timeouts, bounds and shutdown', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({
      HARK_REALTIME_START_TIMEOUT_MS: '3000',
      HARK_REALTIME_PRECONNECT_MAX_MS: '20000',
      HARK_REALTIME_MAX_PRECONNECTED_PER_ADDRESS: '3',
      HARK_REALTIME_MAX_PRECONNECTED: '5',
      HARK_MAX_CONCURRENT_SESSIONS: '1',
    });
  });
  after(() => hark.dispose());

  test('keepalives restart the start timeout up to the maximum wait; a silent socket gets 408 at the start timeout', async () => {
    const openedAt = performance.now();
    const kept = await openRaw(hark.wsUrl, { keepaliveMs: 500 });
    const silent = await openRaw(hark.wsUrl);
    assert.equal(await silent.closed, 1000);
    assert.deepEqual(silent.messages, [{ tokens: [], error_code: 408, error_message: 'Start request timeout' }]);

    assert.equal(await kept.closed, 1000);
    const waited = performance.now() - openedAt;
    assert.deepEqual(kept.messages, [{ tokens: [], error_code: 408, error_message: 'Start request timeout' }]);
    // The server never ends it early; a slow machine may end it late.
    assert.ok(waited >= 19_500, `kept ${waited.toFixed(0)} ms, HARK_REALTIME_PRECONNECT_MAX_MS is 20000`);
  });

  test('they are bounded per address and server-wide, and are no sessions until they start', async () => {
    const from = (localAddress: string) => openRaw(hark.wsUrl, { localAddress, keepaliveMs: 500 });
    const first = await Promise.all([1, 2, 3].map(() => from('127.0.0.1')));
    const refused = await from('127.0.0.1');
    assert.equal(await refused.closed, 1000);
    assert.deepEqual(refused.messages, [{ tokens: [], error_code: 429, error_message: 'Your organization has exceeded max number of concurrent requests.' }]);

    // Another address has its own budget, under the server's (5).
    const second = await Promise.all([1, 2].map(() => from('127.0.0.2')));
    const full = await from('127.0.0.3');
    assert.equal(await full.closed, 1000);
    assert.equal(full.messages[0]?.error_code, 429);

    // HARK_MAX_CONCURRENT_SESSIONS is 1 with five sockets waiting: they are not sessions.
    const link = first[0]!;
    link.stopKeepalive();
    link.ws.send(JSON.stringify({ api_key: hark.apiKey, ...CONFIG }));
    // Starting frees its place: the address may open another.
    const again = await from('127.0.0.1');
    for (const chunk of slices(speechPcm([0], 600), 32_000)) link.ws.send(chunk);
    link.ws.send('');
    assert.equal(await link.closed, 1000);
    assert.equal(link.messages.at(-1)?.finished, true, JSON.stringify(link.messages.at(-1)));

    const others = [...first.slice(1), ...second, again];
    for (const s of others) s.ws.close();
    await Promise.all(others.map((s) => s.closed));
    // Nothing, or, on a machine slow enough to take the 20 s, the maximum wait's 408.
    for (const s of others) assert.ok(s.messages.every((m) => m.error_code === 408), JSON.stringify(s.messages));
  });

  test('on shutdown a waiting socket gets 503 (code 2)', async () => {
    const waiting = await openRaw(hark.wsUrl, { keepaliveMs: 500 });
    await hark.stop();
    await waiting.closed;
    assert.deepEqual(waiting.messages, [{ tokens: [], error_code: 503, error_message: SHUTDOWN_503 }]);
  });
});
