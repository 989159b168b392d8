/**
 * `npm run bench:engine`: the local engine against a remote one, measured
 * the same way in the same run. "Remote" is HARK_ENGINE=openai pointed at
 * a second Hark on this machine (PocketSphinx behind POST
 * /v1/audio/transcriptions), so both do the same recognition work and the
 * ratio is the cost of the seam: WAV encoding, HTTP, a second server.
 *
 * - Async throughput: audio seconds per wall second, the same files through
 *   each, HARK_WORKERS (default 2) jobs at once. Goal: remote ≤ 15 % slower.
 * - End of speech → finals: a live session at real-time pace with endpoint
 *   detection; the time from the last audio of each sentence to its final words.
 *
 * Run on a quiet machine for figures; on a shared one, read the ratios next
 * to the load average it prints.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SonioxNodeClient } from '@soniox/node';
import { probeDurationMs } from '../src/pipeline/decode/probe-duration.js';
import { librivoxUtterances } from '../test/support/librivox.js';
import { type HarkProcess, startHark } from '../test/support/hark-process.js';
import { runSession, slices } from '../test/support/realtime-client.js';
import { encode, speechPcm } from '../test/support/speech-audio.js';

const WORKERS = process.env.HARK_WORKERS ?? '2';
const PCM_MS = 32;
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

/** Wall seconds to transcribe every file of `work`, `parallel` jobs at once. */
async function asyncSeconds(hark: HarkProcess, work: string[], parallel: number): Promise<number> {
  const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  const started = performance.now();
  await inParallel(work, parallel, async (path) => {
    const t = await client.stt.transcribe({
      model: 'stt-async-v4', file: await readFile(path), filename: 'bench.wav', wait: true, wait_options: { interval_ms: 200, timeout_ms: 1_800_000 },
    });
    if (t.status !== 'completed') throw new Error(`transcription ${t.status}: ${t.error_message}`);
  });
  return (performance.now() - started) / 1000;
}

/** Per sentence: ms from its last audio frame sent to its last final word received. */
async function finalsLatencies(hark: HarkProcess, pcm: Buffer, sentenceEndsMs: number[]): Promise<number[]> {
  const frameBytes = 120 * PCM_MS;
  const run = await runSession(hark.wsUrl, {
    start: {
      api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1,
      enable_endpoint_detection: true, max_endpoint_delay_ms: 4000,
    },
    frames: [...slices(pcm, frameBytes), Buffer.alloc(0)],
    paceMs: 120,
    timeoutMs: 600_000,
  });
  return sentenceEndsMs.map((endMs) => {
    const frame = Math.ceil((endMs * PCM_MS) / frameBytes) - 1;
    const sentAt = run.sentAt[Math.min(frame, run.sentAt.length - 1)]!;
    const final = run.received.find((r) =>
      (r.message.tokens as { is_final?: boolean; end_ms?: number }[] | undefined)?.some((t) => t.is_final && (t.end_ms ?? 0) >= endMs - 300));
    return final ? final.at - sentAt : Number.NaN;
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), 'hark-bench-engine-'));
const harks: HarkProcess[] = [];
try {
  const utterances = librivoxUtterances();
  const pcm = speechPcm();
  const long = encode(dir, pcm, 'librivox.wav');
  const work = [long, long, ...utterances.map((u) => u.wavPath), ...utterances.map((u) => u.wavPath)];
  let totalAudioMs = 0;
  for (const path of work) totalAudioMs += (await probeDurationMs(path)) ?? 0;
  const totalAudioS = totalAudioMs / 1000;
  const env = { HARK_LOG_LEVEL: 'error', HARK_WORKERS: WORKERS, HARK_REALTIME_WORKERS: '1', HARK_MAX_PENDING_TRANSCRIPTIONS: '1000' };
  const parallel = Number(WORKERS);

  console.log(`# bench:engine — ${WORKERS} workers, load average before: ${load()}`);
  const local = await startHark(env);
  harks.push(local);
  const localS = await asyncSeconds(local, work, parallel);
  const sentenceEnds: number[] = [];
  let at = 0;
  for (const u of utterances) {
    at += ((await readFile(u.wavPath)).length - 44) / PCM_MS;
    sentenceEnds.push(at);
    at += 1200;
  }
  const localLatency = await finalsLatencies(local, pcm, sentenceEnds);
  await local.dispose();
  harks.pop();

  const engine = await startHark(env);
  harks.push(engine);
  const remote = await startHark({ ...env, HARK_ENGINE: 'openai', HARK_ENGINE_URL: `${engine.baseUrl}/v1`, HARK_ENGINE_API_KEY: engine.apiKey });
  harks.push(remote);
  const remoteS = await asyncSeconds(remote, work, parallel);
  const remoteLatency = await finalsLatencies(remote, pcm, sentenceEnds);

  const localRate = totalAudioS / localS;
  const remoteRate = totalAudioS / remoteS;
  const overhead = localRate / remoteRate - 1;
  console.log(`\n## Async throughput (${totalAudioS.toFixed(1)} s of audio, ${work.length} files, ${parallel} at once)`);
  console.log(`local  PocketSphinx:            ${localS.toFixed(1)} s wall, ${localRate.toFixed(2)}× real time`);
  console.log(`remote openai → Hark (same box): ${remoteS.toFixed(1)} s wall, ${remoteRate.toFixed(2)}× real time`);
  console.log(`remote overhead: ${(overhead * 100).toFixed(1)} % (goal ≤ 15 %) — ${overhead <= 0.15 ? 'met' : 'NOT met'}`);
  console.log('\n## End of speech → finals, real-time pace, endpoint detection (ms per sentence)');
  console.log(`local:  ${localLatency.map((l) => Math.round(l)).join(', ')}  (median ${Math.round(median(localLatency))})`);
  console.log(`remote: ${remoteLatency.map((l) => Math.round(l)).join(', ')}  (median ${Math.round(median(remoteLatency))})`);
  console.log(`ratio remote / local (medians): ${(median(remoteLatency) / median(localLatency)).toFixed(2)}`);
  console.log(`\nload average after: ${load()}`);
} finally {
  for (const h of harks) await h.dispose();
  await rm(dir, { recursive: true, force: true });
}
