// HARK_MAX_CONCURRENT_SESSIONS=auto: the server admits as many sessions as
// it reports it can serve, and answers the next with Soniox's concurrency
// error. The capacity depends on this machine's speed and load, so the test
// takes it from the server (GET /v1/concurrency-limits, the figure
// admission uses) and never from timing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../../src/lib/wer.js';
import { startHark, waitFor, type HarkProcess } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';
import { slices } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

const SERVER_BUSY = 'Your organization has exceeded max number of concurrent requests.';
/** One LibriVox sentence (≈4 s) and what it says. */
const SENTENCE = 4;
const speech = speechPcm([SENTENCE], 300);
const reference = librivoxUtterances()[SENTENCE]!.reference;
/** Beyond this the machine is far faster than any seen; the test would only take longer. */
const MOST_SESSIONS = 64;

describe('real-time capacity, auto', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;

  before(async () => {
    // One worker: the capacity (and the sessions this test holds) stays small.
    hark = await startHark({ HARK_MAX_CONCURRENT_SESSIONS: 'auto', HARK_REALTIME_WORKERS: '1', HARK_LOG_LEVEL: 'info' });
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    await waitFor(async () => hark.output().includes('real-time engine calibrated'), 300_000);
  });
  after(() => hark?.dispose());

  const organization = async () => (await client.concurrencyLimits.get()).organization;

  /** A session that waits (keepalives) for `speak()`; `refused` settles with the error the server ended it with. */
  async function open() {
    const session = client.realtime.stt({ model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }, { keepalive_interval_ms: 1000 });
    const finals: string[] = [];
    session.on('result', (result) => {
      for (const t of result.tokens) if (t.is_final && t.text !== '<end>' && t.text !== '<fin>') finals.push(t.text);
    });
    const refused = new Promise<Error>((resolve) => session.on('error', resolve));
    await session.connect();
    session.pause();
    return {
      refused,
      async speak(): Promise<string> {
        session.resume();
        for (const chunk of slices(speech, 16_000)) session.sendAudio(chunk);
        await session.finish();
        return finals.join('');
      },
    };
  }

  test('admits the capacity it reports, answers 429 on the next at once, and admits again once a session ends', async () => {
    const held: Awaited<ReturnType<typeof open>>[] = [];
    const current = async () => (await organization()).current.transcribe_concurrent;
    /** Opens one more session: null once the server counts it open, or the error it was refused with. */
    async function another(): Promise<{ session: Awaited<ReturnType<typeof open>>; refusal: Error | null }> {
      const session = await open();
      let refusal: Error | null = null;
      void session.refused.then((err) => (refusal = err));
      await waitFor(async () => refusal !== null || (await current()) > held.length, 120_000);
      return { session, refusal };
    }
    let checked = false;
    // The capacity follows the machine's load and may move (rarely: it is held 5 s at a time) while
    // the sessions open; then the count is made again against the new figure.
    for (let attempt = 0; attempt < 5 && !checked; attempt++) {
      const capacity = (await organization()).limits.transcribe_concurrent;
      assert.ok(typeof capacity === 'number' && capacity >= 1 && capacity <= MOST_SESSIONS, `capacity ${capacity}`);
      if (held.length > capacity) {
        // Fewer now, and an admitted session is never taken back: wait for the figure to move on.
        await new Promise((resolve) => setTimeout(resolve, 5000));
        continue;
      }
      let refusal: Error | null = null;
      while (held.length <= capacity && refusal === null) {
        const next = await another();
        if (next.refusal === null) held.push(next.session);
        refusal = next.refusal;
      }
      const capacityAfter = (await organization()).limits.transcribe_concurrent;
      // Admitted beyond the figure read, or refused short of it: the figure moved meanwhile.
      if (capacityAfter !== capacity || refusal === null) continue;
      assert.equal(held.length, capacity, `refused with ${held.length} open at capacity ${capacity}: ${refusal.message}`);
      assert.equal((refusal as Error).name, 'QuotaError', 'the SDK sees the 429 as a quota error');
      assert.ok((refusal as Error).message.includes(SERVER_BUSY), (refusal as Error).message);
      assert.equal(await current(), capacity, 'every admitted session is still open');
      console.log(`capacity ${capacity}: ${capacity} sessions admitted, the next refused (429)`);
      checked = true;
    }
    assert.ok(checked, 'the capacity never held still for one count');

    // The admitted sessions are served: real speech, accurate finals.
    const texts = await Promise.all(held.map((session) => session.speak()));
    for (const text of texts) assert.ok(wordErrorRate(reference, text) <= 0.5, `finals: ${text}\nreference: ${reference}`);
    await waitFor(async () => (await current()) === 0, 60_000);
    const again = await open();
    const text = await Promise.race([again.speak(), again.refused.then((err) => assert.fail(`refused after the others ended: ${err.message}`))]);
    assert.ok(wordErrorRate(reference, text) <= 0.5, `finals: ${text}`);
  });
});
