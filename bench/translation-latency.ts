/**
 * Real-time translation latency: speech streamed at real-time pace through the
 * official SDK with one-way en→es translation. For each translated run:
 *
 * - translation delay: from the message that made the run's last original
 *   token final to the message carrying its translation (what the translation
 *   stage adds, as the client sees it), and the same delay as the server
 *   measured it (chunk complete → translation released, from its debug log);
 * - end of speech → translation: from the moment the audio of the run's last
 *   word was sent to the translation's arrival (what a listener waits, with
 *   endpointing and recognition included).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type RealtimeResult, SonioxNodeClient } from '@soniox/node';
import WebSocket from 'ws';
import { librivoxUtterances } from '../test/support/librivox.js';
import { startHark } from '../test/support/hark-process.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const SHARED_AUDIO = new URL('../../../shared/audio/', import.meta.url).pathname;
const CHUNK_MS = 120;
const BYTES_PER_MS = 32;
const SESSIONS = 3;

/** The five LibriVox sentences with a second of silence after each, and the shared coffee-shop dialogue when present. */
async function speech(): Promise<Buffer[]> {
  const silence = Buffer.alloc(1000 * BYTES_PER_MS);
  const librivox = Buffer.concat(
    (await Promise.all(librivoxUtterances().map((u) => readFile(u.wavPath)))).flatMap((wav) => [wav.subarray(44), silence]),
  );
  const coffeeShop = `${SHARED_AUDIO}coffee_shop.pcm_s16le`;
  return existsSync(coffeeShop) ? [librivox, await readFile(coffeeShop)] : [librivox];
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (n = ${sorted.length})`;
}

const hark = await startHark({ HARK_LOG_LEVEL: 'debug' });
try {
  const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
  const stageDelays: number[] = [];
  const speechDelays: number[] = [];
  for (let round = 0; round < SESSIONS; round++) {
    for (const pcm of await speech()) {
      const session = client.realtime.stt({
        model: 'stt-rt-v4',
        audio_format: 'pcm_s16le',
        sample_rate: 16_000,
        num_channels: 1,
        enable_endpoint_detection: true,
        translation: { type: 'one_way', target_language: 'es' },
      });
      const messages: { at: number; result: RealtimeResult }[] = [];
      session.on('result', (result) => messages.push({ at: performance.now(), result }));
      await session.connect();
      const startedAt = performance.now();
      for (let offset = 0, i = 0; offset < pcm.length; offset += CHUNK_MS * BYTES_PER_MS, i++) {
        // Real-time pace: each chunk leaves when its audio would have been spoken.
        const due = startedAt + i * CHUNK_MS - performance.now();
        if (due > 0) await new Promise((r) => setTimeout(r, due));
        session.sendAudio(pcm.subarray(offset, offset + CHUNK_MS * BYTES_PER_MS));
      }
      await session.finish();

      let lastOriginal: { at: number; endMs: number } | null = null;
      for (const { at, result } of messages) {
        for (const token of result.tokens) {
          if (!token.is_final) continue;
          if (token.translation_status === 'original') lastOriginal = { at, endMs: token.end_ms ?? 0 };
          else if (token.translation_status === 'translation' && lastOriginal) {
            stageDelays.push(at - lastOriginal.at);
            // The run's audio ended endMs into the stream; it was sent at about startedAt + endMs.
            speechDelays.push(at - (startedAt + lastOriginal.endMs));
            lastOriginal = null;
          }
        }
      }
    }
  }
  // The server's log is complete only once it has exited.
  await hark.stop();
  const serverDelays = [...hark.output().matchAll(/"delayMs":(\d+)[^\n]*"msg":"translation sent"/g)].map((m) => Number(m[1]));
  console.log(`${SESSIONS} rounds, one-way en→es, audio paced in ${CHUNK_MS} ms chunks`);
  console.log(`translation delay, client: ${summary(stageDelays)}`);
  if (serverDelays.length > 0) console.log(`translation delay, server: ${summary(serverDelays)}`);
  console.log(`end of speech → translation: ${summary(speechDelays)}`);
} finally {
  await hark.dispose();
}
