/**
 * Real-time WebSocket benchmark, on this machine's cores:
 *
 * 1. N sessions at once, each a client at real-time pace (the docs' Node
 *    example: pcm_s16le, 3840-byte frames every 120 ms), N = 1, 2, 4, 8:
 *    lag (frame sent → a message whose total_audio_proc_ms covers it), end
 *    of speech → finals, and the finals' WER against the reference
 *    transcripts (beside the async transcript's).
 * 2. The same at 1 and 4 sessions with one core kept busy by another process.
 * 3. A burst of 10 sessions on a cold server (decoders built ahead: the default warm pool).
 * The servers run at the default HARK_MAX_CONCURRENT_SESSIONS=auto: beyond
 * the capacity they report, sessions are refused (429); each line says how
 * many were admitted and gives the figures of those.
 * 4. One session: first non-final token, and end of speech → `<end>` for
 *    several endpoint settings.
 * The calibrated capacity (HARK_MAX_CONCURRENT_SESSIONS=auto) is printed
 * with the engine's measured speed, the raw figure the others compare to.
 *
 * Prints figures; never fails on time. HARK_BENCH_MAX_SESSIONS caps step 1.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../src/lib/wer.js';
import { VoiceActivitySegmenter } from '../src/pipeline/segmentation/voice-activity-segmenter.js';
import { liveSegmenterOptions } from '../src/pipeline/stream.js';
import { api, startHark, type HarkProcess } from '../test/support/hark-process.js';
import { librivoxUtterances } from '../test/support/librivox.js';
import { finalText, runSession, slices, type SessionRun } from '../test/support/realtime-client.js';
import { encode, speechPcm } from '../test/support/speech-audio.js';
import { finalLatencies, sentAtAudio } from './realtime-latency.js';

const FRAME_BYTES = 3840;
const FRAME_MS = 120;
const PCM_MS = 32;
const MAX_SESSIONS = Number(process.env.HARK_BENCH_MAX_SESSIONS ?? 8);
/** What the bench audio says, per the reference transcripts. */
const REFERENCE = librivoxUtterances().map((u) => u.reference).join(' ');

/** Five LibriVox sentences with 1.2 s pauses: 30.7 s of audio. */
const pcm = speechPcm();
const frames = slices(pcm, FRAME_BYTES);

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const ms = (x: number) => `${Math.round(x)} ms`;

/** One real-time-paced session over the bench audio. */
function paced(hark: HarkProcess, extra: object = {}, delayMs = 0): Promise<SessionRun> {
  return new Promise((resolve) => setTimeout(resolve, delayMs)).then(() =>
    runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1, ...extra },
      frames: [...frames, ''],
      paceMs: FRAME_MS,
      timeoutMs: 600_000,
    }),
  );
}

/**
 * Runs `fn` while another process keeps one core busy, from 15 s before:
 * the server follows the machine's load over several seconds, as a
 * program that runs beside it for good would be seen.
 */
async function withBusyCore<T>(fn: () => Promise<T>): Promise<T> {
  const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    return await fn();
  } finally {
    busy.kill('SIGKILL');
  }
}

/** For each frame: how long until a message covered its audio. */
function lags(run: SessionRun): number[] {
  return run.sentAt.slice(0, frames.length).map((sentAt, i) => {
    const audioEndMs = Math.min((i + 1) * FRAME_BYTES, pcm.length) / PCM_MS;
    const covered = run.received.find((r) => r.at >= sentAt && r.message.total_audio_proc_ms >= audioEndMs);
    return (covered?.at ?? Infinity) - sentAt;
  });
}

/**
 * Where speech ends in the bench audio for a session with these endpoint
 * settings: the last loud 10 ms frame before each pause the session's own
 * voice activity detector takes for an endpoint (computed offline, on the
 * same samples, with the same settings).
 */
function speechEnds(start: { max_endpoint_delay_ms: number; endpoint_sensitivity?: number; endpoint_latency_adjustment_level?: number }): number[] {
  const options = liveSegmenterOptions({
    endpointDetection: true,
    maxEndpointDelayMs: start.max_endpoint_delay_ms,
    endpointSensitivity: start.endpoint_sensitivity ?? 0,
    endpointLatencyAdjustmentLevel: start.endpoint_latency_adjustment_level ?? 0,
  });
  const segmenter = new VoiceActivitySegmenter(options);
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  const events = [...segmenter.push(samples), ...segmenter.end()];
  return events.flatMap((e) => (e.type === 'utterance-end' && e.reason === 'pause' ? [e.atMs - options.paddingMs] : []));
}

/** Time from the end of speech to each `<end>` (the utterance it closes: the last speech end it made final). */
function endpointLatencies(run: SessionRun, ends: number[]): number[] {
  return run.received.flatMap(({ at, message }) => {
    if (!message.tokens.some((t: any) => t.text === '<end>')) return [];
    const end = ends.filter((e) => e <= message.final_audio_proc_ms).at(-1);
    return end === undefined ? [] : [at - sentAtAudio(run, end, FRAME_MS)];
  });
}

/** Time from sending the first speech to the first non-final token. */
function firstTokenLatency(run: SessionRun): number {
  const firstWord = run.received.flatMap((r) => r.message.tokens).find((t: any) => t.is_final && t.start_ms !== undefined);
  const first = run.received.find((r) => r.message.tokens.some((t: any) => !t.is_final));
  return first && firstWord ? first.at - sentAtAudio(run, firstWord.start_ms, FRAME_MS) : Number.NaN;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** What the server admits at once now (`auto`: its measured capacity), as a client reads it. */
async function capacity(hark: HarkProcess): Promise<number> {
  const { body } = await api(hark, 'GET', '/v1/concurrency-limits');
  return body.organization.limits.transcribe_concurrent;
}

const refused = (run: SessionRun) => run.received.some((r) => r.message.error_code === 429);

/** One line of figures over the admitted sessions of `runs`. */
function report(label: string, runs: SessionRun[], capacityNow: number): void {
  const served = runs.filter((run) => !refused(run));
  const all = served.flatMap(lags);
  const finals = served.flatMap((run) => finalLatencies(run, FRAME_MS));
  const wer = served.reduce((sum, run) => sum + wordErrorRate(REFERENCE, finalText(run)), 0) / served.length;
  const admitted = `${served.length} of ${runs.length} (${capacityNow})`;
  console.log(
    `${label.padEnd(20)}  ${admitted.padStart(12)}  ${ms(percentile(all, 50)).padStart(8)}  ${ms(percentile(all, 95)).padStart(8)}  ${ms(Math.max(...all)).padStart(8)}  ${`${ms(percentile(finals, 50))} / ${ms(percentile(finals, 95))}`.padStart(20)}   ${pct(wer).padStart(7)}   ${loadavg()[0]!.toFixed(1)}`,
  );
}

/** N sessions started within a second of each other; one line of figures. */
async function step(hark: HarkProcess, n: number, label: string): Promise<void> {
  const capacityNow = await capacity(hark);
  const runs = await Promise.all(Array.from({ length: n }, (_, i) => paced(hark, {}, (i * 1000) / n)));
  report(label, runs, capacityNow);
}

const HEADER = 'sessions              admitted (capacity)  p50 lag   p95 lag   max lag   speech end → finals p50 / p95   WER vs reference   load';

const hark = await startHark({
  HARK_LOG_LEVEL: 'info',
  HARK_MAX_CONCURRENT_SESSIONS: 'auto',
  HARK_REQUESTS_PER_MINUTE: '100000',
});
const work = await mkdtemp(join(tmpdir(), 'hark-bench-realtime-'));
try {
  const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  const wav = encode(work, pcm, 'speech.wav');
  const transcription = await client.stt.transcribe({ model: 'stt-async-v4', file: await readFile(wav), filename: 'speech.wav', wait: true });
  const asyncText = (await transcription.getTranscript())!.text;

  console.log(`Real-time benchmark: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at start, ${(pcm.length / PCM_MS / 1000).toFixed(1)} s of speech per session`);
  const line = hark.output().split('\n').find((l) => l.includes('real-time engine calibrated'));
  const logged = line
    ? (JSON.parse(line) as { cpuMs: number; elapsedMs: number; audioMs: number; realTimeFactor: number; otherThreads: number; capacity: number })
    : null;
  console.log(
    logged
      ? `Calibration at start: ${logged.audioMs} ms of speech streamed in ${logged.cpuMs} ms of CPU (${logged.elapsedMs} ms wall): ${logged.realTimeFactor} of a core per session; ` +
          `${logged.otherThreads} other programs' threads runnable on average => capacity (auto) ${logged.capacity} sessions`
      : 'Calibration at start: not logged (bundled speech missing?)',
  );
  console.log(`WER async transcript vs reference: ${pct(wordErrorRate(REFERENCE, asyncText))} (the goal for the finals: within 1 point of it)`);
  // Loads the recognition workers' decoders, so the first measured session does not wait for them.
  await runSession(hark.wsUrl, {
    start: { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
    frames: [pcm.subarray(0, 3 * 32_000), ''],
  });

  console.log('\n1. Sessions at real-time pace (lag: frame sent → a message covers its audio; figures of the admitted sessions)');
  console.log(HEADER);
  for (const n of [1, 2, 4, 8].filter((x) => x <= MAX_SESSIONS)) await step(hark, n, String(n));

  console.log('\n2. The same with one core kept busy by another process');
  console.log(HEADER);
  for (const n of [1, 4]) await withBusyCore(() => step(hark, n, `${n}, one core busy`));
} finally {
  await hark.dispose();
}

// A fresh server with the default warm pool and limit: ten sessions arrive at once.
const cold = await startHark({ HARK_MAX_CONCURRENT_SESSIONS: 'auto', HARK_REQUESTS_PER_MINUTE: '100000', HARK_REALTIME_WARM_DECODERS: '8' });
try {
  // The warm pool is built in the background after start: give it the time a server has before its first clients.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  console.log('\n3. A burst of 10 sessions at once on a cold server (default warm pool: up to 8 decoders built ahead, no more than the capacity)');
  console.log(HEADER);
  const capacityNow = await capacity(cold);
  const runs = await Promise.all(Array.from({ length: 10 }, () => paced(cold)));
  report('10 at once', runs, capacityNow);
  const refusedAt = runs.filter(refused).map((run) => Math.round(run.received.find((r) => r.message.error_code === 429)!.at));
  if (refusedAt.length > 0) console.log(`refused (429) ${refusedAt.length}, ${Math.max(...refusedAt)} ms or less after the start message`);

  console.log('\n4. One session: latencies');
  const plain = await paced(cold);
  console.log(`first non-final token after the first speech was sent: ${ms(firstTokenLatency(plain))}`);
  console.log('endpoint settings                                 end of speech → <end>: median   p95    max   (utterances)');
  const settings: [string, { max_endpoint_delay_ms: number; endpoint_sensitivity?: number; endpoint_latency_adjustment_level?: number }][] = [
    ['max_endpoint_delay_ms 500', { max_endpoint_delay_ms: 500 }],
    ['max_endpoint_delay_ms 1000', { max_endpoint_delay_ms: 1000 }],
    ['max_endpoint_delay_ms 2000 (default)', { max_endpoint_delay_ms: 2000 }],
    ['2000, endpoint_sensitivity 0.8', { max_endpoint_delay_ms: 2000, endpoint_sensitivity: 0.8 }],
    ['2000, endpoint_latency_adjustment_level 3', { max_endpoint_delay_ms: 2000, endpoint_latency_adjustment_level: 3 }],
  ];
  for (const [label, extra] of settings) {
    const run = await paced(cold, { enable_endpoint_detection: true, ...extra });
    const l = endpointLatencies(run, speechEnds(extra));
    console.log(`${label.padEnd(42)}   ${ms(percentile(l, 50)).padStart(22)}  ${ms(percentile(l, 95)).padStart(6)}  ${ms(Math.max(...l)).padStart(6)}   (${l.length})`);
  }
} finally {
  await cold.dispose();
  await rm(work, { recursive: true, force: true });
}
