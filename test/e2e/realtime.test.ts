import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../../src/lib/wer.js';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { type Frame, assertWellFormed, finalText, finalTokens, runSession, slices } from '../support/realtime-client.js';
import { librivoxUtterances } from '../support/librivox.js';
import { encode, speechPcm } from '../support/speech-audio.js';

// Node 20 has no global WebSocket; the SDK uses the global (API.md §9.1).
(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

const MODEL = 'stt-rt-v4';
/** Bytes per ms of 16 kHz mono s16. */
const PCM_MS = 32;

describe('real-time transcription of real speech', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;
  let work: string;
  /** The two LibriVox sentences the tests stream, as their reference transcripts say. */
  const reference = ((all) => `${all[1]!.reference} ${all[4]!.reference}`)(librivoxUtterances());

  /**
   * Finals are as close to what was said as the recognizer gets: against the
   * reference transcripts, whatever the machine's speed (the words come
   * from the same streaming decoder however busy it is). `bound` leaves
   * room for PocketSphinx's own errors on this speech (≈20 % over these 16
   * words at 16 kHz, whole-utterance or streamed) and for lossy formats.
   */
  function assertAccurate(streamText: string, label: string, bound = 0.35): void {
    const wer = wordErrorRate(reference, streamText);
    console.log(`${label}: WER finals vs reference ${(wer * 100).toFixed(1)}%`);
    assert.ok(wer <= bound, `${label}\n finals:    ${streamText}\n reference: ${reference}`);
  }

  // Two sentences with pauses (≈ 8.7 s), in every format the tests stream.
  let pcm: Buffer;
  const files = { wav: '', webm: '', mp3: '', ogg: '', mulaw: '' };

  before(async () => {
    hark = await startHark({ HARK_REALTIME_IDLE_TIMEOUT_MS: '2000' });
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    work = await mkdtemp(join(tmpdir(), 'hark-realtime-'));
    pcm = speechPcm([1, 4]);
    files.wav = encode(work, pcm, 'speech.wav');
    files.webm = encode(work, pcm, 'speech.webm', ['-c:a', 'libopus']);
    files.mp3 = encode(work, pcm, 'speech.mp3');
    files.ogg = encode(work, pcm, 'speech.ogg', ['-c:a', 'libvorbis']);
    files.mulaw = encode(work, pcm, 'speech.mulaw', ['-f', 'mulaw', '-ar', '8000']);
    // A server that has been up a moment: its workers loaded and calibrated (bench:realtime measures a cold start).
    await runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, model: MODEL, audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
      frames: [pcm.subarray(0, 32_000), ''],
    });
  });
  after(async () => {
    await hark.dispose();
    await rm(work, { recursive: true, force: true });
  });

  test('at real-time pace: the docs Node example (pcm_s16le, 3840-byte frames every 120 ms) and a browser SDK client (auto, webm/opus, 60 ms slices, endpoint detection)', async () => {
    const webmBytes = await readFile(files.webm);
    // MediaRecorder slices by time; the same share of the file per 60 ms.
    const browserSlice = Math.ceil((webmBytes.length * 60) / (pcm.length / PCM_MS));
    const [docs, browser] = await Promise.all([
      runSession(hark.wsUrl, {
        start: { api_key: hark.apiKey, model: MODEL, audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
        frames: [...slices(pcm, 3840), ''],
        paceMs: 120,
      }),
      runSession(hark.wsUrl, {
        start: { api_key: hark.apiKey, model: MODEL, audio_format: 'auto', enable_endpoint_detection: true, max_endpoint_delay_ms: 3000 },
        frames: [...slices(webmBytes, browserSlice), Buffer.alloc(0)],
        paceMs: 60,
      }),
    ]);
    for (const run of [docs, browser]) assertWellFormed(run);
    assertAccurate(finalText(docs), 'pcm_s16le, real-time pace');
    assertAccurate(finalText(browser), 'webm/opus, real-time pace, endpoint detection');

    // Words came while the audio did (how far behind depends on the machine:
    // npm run bench:realtime measures it), non-final before final.
    const endSentAt = docs.sentAt.at(-1)!;
    const beforeEnd = docs.received.filter((r) => r.at <= endSentAt + 50);
    console.log(`pcm_s16le: ${beforeEnd.at(-1)?.message.total_audio_proc_ms} of ${pcm.length / PCM_MS} ms processed when the audio ended`);
    assert.ok(beforeEnd.some((r) => r.message.tokens.some((t: any) => !t.is_final && /\w/.test(t.text))), 'non-final words while the audio came');

    const texts = (run: typeof docs) => finalTokens(run).map((t) => t.text);
    assert.ok(!texts(docs).includes('<end>'), 'no <end> without endpoint detection');
    const browserTokens = texts(browser);
    const ends = browserTokens.flatMap((t, i) => (t === '<end>' ? [i] : []));
    assert.equal(ends.length, 2, `one <end> per sentence: ${browserTokens.join('|')}`);
    for (const i of ends) assert.equal(browserTokens[i - 1], '.', '<end> closes its utterance');
  });

  test('the official SDK session, faster than real time: accurate finals; endpoint and finalize events', async () => {
    const bytes = await readFile(files.wav);
    /** Streams the wav through an SDK session; `midway` runs in the pause after the first sentence (it ends at 2.99 s). */
    async function sdkSession(config: { enable_endpoint_detection?: boolean }, midway?: (session: ReturnType<typeof client.realtime.stt>) => void) {
      const session = client.realtime.stt({ model: MODEL, audio_format: 'auto', max_endpoint_delay_ms: 3000, ...config });
      const finals: string[] = [];
      const events = { endpoint: 0, finalized: 0 };
      session.on('result', (result) => {
        for (const t of result.tokens) if (t.is_final) finals.push(t.text);
      });
      session.on('endpoint', () => events.endpoint++);
      session.on('finalized', () => events.finalized++);
      await session.connect();
      const midwayAt = 44 + (2990 + 800) * PCM_MS;
      let sent = 0;
      for (const chunk of slices(bytes, 8192)) {
        session.sendAudio(chunk);
        if (sent < midwayAt && sent + chunk.length >= midwayAt) midway?.(session);
        sent += chunk.length;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await session.finish();
      return { text: finals.join(''), events };
    }
    const [plain, endpointing] = await Promise.all([
      sdkSession({}),
      sdkSession({ enable_endpoint_detection: true }, (session) => session.finalize()),
    ]);
    assertAccurate(plain.text, 'SDK, auto (wav)');
    assert.deepEqual(plain.events, { endpoint: 0, finalized: 0 });
    // Faster than real time, the finalize sent in the pause may reach the server
    // before its detector has seen that pause: then the first sentence ends in
    // <fin> instead of <end>. The last sentence always ends in <end>.
    assert.equal(endpointing.events.finalized, 1, 'one <fin> for the one finalize');
    assert.ok([1, 2].includes(endpointing.events.endpoint), `endpoints: ${endpointing.events.endpoint}`);
    // The finalize may cut the first sentence short of its last word.
    assertAccurate(endpointing.text, 'SDK, endpoint detection and finalize', 0.45);
  });

  test('every format decodes to accurate finals, sessions running at once; REST stays responsive', async () => {
    const cases: { label: string; start: object; bytes: Buffer; frame: number; bound?: number }[] = [
      { label: 'pcm_s16le', start: { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }, bytes: pcm, frame: 3840 },
      { label: 'wav (auto)', start: { audio_format: 'auto' }, bytes: await readFile(files.wav), frame: 4096 },
      // Lossy at ffmpeg's default bit rates: PocketSphinx loses words on them, streamed or whole (≈40 % WER either way).
      { label: 'mp3', start: { audio_format: 'mp3' }, bytes: await readFile(files.mp3), frame: 1000, bound: 0.6 },
      { label: 'ogg (auto)', start: { audio_format: 'auto' }, bytes: await readFile(files.ogg), frame: 2000, bound: 0.5 },
      // Telephone audio: half the bandwidth the model was trained on.
      { label: 'mulaw 8 kHz', start: { audio_format: 'mulaw', sample_rate: 8000, num_channels: 1 }, bytes: await readFile(files.mulaw), frame: 960, bound: 0.5 },
    ];

    let polling = true;
    const latencies: number[] = [];
    const poll = (async () => {
      while (polling) {
        const started = performance.now();
        assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const runs = await Promise.all(
      cases.map((c) =>
        runSession(hark.wsUrl, {
          start: { api_key: hark.apiKey, model: MODEL, ...c.start },
          frames: [...slices(c.bytes, c.frame), ''] as Frame[],
          paceMs: 5,
        }),
      ),
    );
    polling = false;
    await poll;
    for (const [i, run] of runs.entries()) {
      assertWellFormed(run);
      assertAccurate(finalText(run), cases[i]!.label, cases[i]!.bound);
    }
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.floor(latencies.length * 0.95)]!;
    console.log(`GET /v1/models during 5 sessions: p95 ${p95.toFixed(1)} ms over ${latencies.length} calls`);
    assert.ok(p95 < 250, `p95 ${p95} ms`);
  });

  test('a finalize makes everything received so far final, then <fin>; streaming goes on', async () => {
    const speech = speechPcm([2, 4], 800);
    const frames = slices(speech, 3840);
    // 85 frames of 120 ms: finalize mid-sentence, in the pause, and mid-sentence again.
    const finalizeAfter = [20, 48, 65];
    const sequence: Frame[] = [];
    frames.forEach((f, i) => {
      sequence.push(f);
      if (finalizeAfter.includes(i)) sequence.push(JSON.stringify({ type: 'finalize' }));
    });
    sequence.push('');
    const run = await runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, model: MODEL, audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
      frames: sequence,
      paceMs: 10,
    });
    assertWellFormed(run);
    // The message carrying each <fin>, in order (one message may carry several).
    const fins = run.received.flatMap((r) => r.message.tokens.filter((t: any) => t.text === '<fin>').map(() => r.message));
    assert.equal(fins.length, 3);
    const tokens = finalTokens(run);
    const finAt = tokens.flatMap((t, i) => (t.text === '<fin>' ? [i] : []));
    fins.forEach((message, i) => {
      const cutMs = ((finalizeAfter[i]! + 1) * 3840) / PCM_MS;
      assert.ok(message.final_audio_proc_ms >= cutMs - 20, `<fin> ${i}: final ${message.final_audio_proc_ms} ms of ${cutMs} ms`);
      // <fin> sits between the words of the audio before the finalize and those after.
      const spoken = (from: number, to: number) => tokens.slice(from, to).filter((t) => t.start_ms !== undefined);
      assert.ok(spoken(0, finAt[i]!).every((t) => t.end_ms <= cutMs), `<fin> ${i} after a word past ${cutMs} ms`);
      assert.ok(spoken(finAt[i]! + 1, tokens.length).every((t) => t.start_ms >= cutMs), `<fin> ${i} before a word from before ${cutMs} ms`);
    });
    assert.match(finalText(run), /\w+/);
  });

  test('keepalive holds an idle session open past the idle timeout', async () => {
    const speech = speechPcm([4], 300);
    const half = Math.floor(speech.length / 2 / 3840) * 3840;
    const run = await runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, model: MODEL, audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
      frames: [speech.subarray(0, half), ...Array<string>(6).fill('{"type":"keepalive"}'), speech.subarray(half), ''],
      // 7 × 500 ms without audio: beyond the server's 2 s idle timeout.
      paceMs: 500,
    });
    assertWellFormed(run);
    assert.match(finalText(run), /\w+/);
  });

  test('the key may come in the upgrade request: bearer header or soniox-api-key subprotocol', async () => {
    const frames: Frame[] = [...slices(speechPcm([4], 300), 16_000), ''];
    const start = { model: MODEL, audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 };
    const [bearer, subprotocol] = await Promise.all([
      runSession(hark.wsUrl, { start, frames, headers: { authorization: `Bearer ${hark.apiKey}` } }),
      runSession(hark.wsUrl, { start, frames, protocols: ['soniox-api-key', hark.apiKey] }),
    ]);
    assertWellFormed(bearer);
    assertWellFormed(subprotocol);
    assert.equal(subprotocol.protocol, 'soniox-api-key');
    // Each against what was said. Two sessions of this 8-word sentence at once have ended with 1 and
    // with 4 words wrong (issue 11: streamed finals are not reproducible word for word), so the
    // bound is that of the worse.
    const said = librivoxUtterances()[4]!.reference;
    for (const [label, result] of [['bearer', bearer], ['subprotocol', subprotocol]] as const) {
      const text = finalText(result);
      assert.ok(wordErrorRate(said, text) <= 0.5, `${label}\n finals:    ${text}\n reference: ${said}`);
    }
  });
});
