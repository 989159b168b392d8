import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import { assertWellFormed, runSession, slices } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';

const SLOTS = 4;
const IDLE_MS = 2000;
const start = (apiKey: string) => ({ api_key: apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 });

/**
 * A client that sends a start message and a burst of audio, then neither
 * sends nor reads: its socket is paused, so the server's frames wait in
 * the kernel until `read()` lets them in.
 */
async function stalledClient(url: string, apiKey: string, audio: Buffer) {
  const ws = new WebSocket(url);
  await once(ws, 'open');
  const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
  socket.pause();
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<number>((resolve) => ws.on('close', resolve));
  ws.send(JSON.stringify(start(apiKey)));
  // One frame: the server reads it whole, and recognition stays behind it for a while.
  ws.send(audio);
  return {
    async read() {
      socket.resume();
      return { closeCode: await closed, last: messages.at(-1) };
    },
  };
}

describe('clients that neither read nor send', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({
      HARK_MAX_CONCURRENT_SESSIONS: String(SLOTS),
      HARK_REALTIME_IDLE_TIMEOUT_MS: String(IDLE_MS),
      HARK_REALTIME_UNREAD_TIMEOUT_MS: '2000',
      HARK_REALTIME_WORKERS: '1',
    });
  });
  after(() => hark.dispose());

  test('holding every slot, are closed with 408 within the bounds, and a new session is admitted', async () => {
    // About 50 s of speech each: minutes of recognition for the four on one worker.
    const audio = speechPcm([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 0);
    const clients = await Promise.all(Array.from({ length: SLOTS }, () => stalledClient(hark.wsUrl, hark.apiKey, audio)));
    const began = Date.now();

    // Recognition stays far behind every stalled session; only the idle timeout,
    // which keeps running while input is paused, frees their slots soon.
    let admittedAfterMs = -1;
    while (admittedAfterMs < 0 && Date.now() - began < 120_000) {
      const probedAt = Date.now() - began;
      const run = await runSession(hark.wsUrl, { start: start(hark.apiKey), frames: [...slices(audio.subarray(0, 32_000), 16_000), ''], timeoutMs: 120_000 });
      if (run.received.at(-1)?.message.error_code === 429) await new Promise((resolve) => setTimeout(resolve, 250));
      else {
        assertWellFormed(run);
        admittedAfterMs = probedAt;
      }
    }
    assert.ok(admittedAfterMs >= 0, 'a new session was admitted');
    assert.ok(admittedAfterMs < 15_000, `a new session was admitted ${admittedAfterMs} ms after the stalled ones started`);

    for (const client of clients) {
      const { closeCode, last } = await client.read();
      assert.equal(closeCode, 1000);
      assert.deepEqual(last, { tokens: [], error_code: 408, error_message: 'Request timeout.' });
    }
  });
});
