/**
 * Real-time WebSocket benchmark, on this machine's cores:
 *
 * 1. Capacity: N sessions at once, each a client at real-time pace (the docs'
 *    Node example: pcm_s16le, 3840-byte frames every 120 ms), for growing N.
 *    Lag = time from sending a frame to receiving a message whose
 *    total_audio_proc_ms covers it. Reports the largest N whose p95 lag
 *    stays under 1 s, how long finals took, and how far the final
 *    transcripts are from the async one (0%: the accurate pass kept up).
 * 2. Latency of one session: from sending the first speech to the first
 *    non-final token, and from the end of speech to `<end>` for several
 *    max_endpoint_delay_ms.
 *
 * Prints figures; never fails on time. HARK_BENCH_MAX_SESSIONS caps step 1.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../src/lib/wer.js';
import { VoiceActivitySegmenter } from '../src/pipeline/segmentation/voice-activity-segmenter.js';
import { liveSegmenterOptions } from '../src/pipeline/stream.js';
import { startHark, type HarkProcess } from '../test/support/hark-process.js';
import { finalText, runSession, slices, type SessionRun } from '../test/support/realtime-client.js';
import { encode, speechPcm } from '../test/support/speech-audio.js';
import { finalLatencies, sentAtAudio } from './realtime-latency.js';

const FRAME_BYTES = 3840;
const FRAME_MS = 120;
const PCM_MS = 32;
const MAX_SESSIONS = Number(process.env.HARK_BENCH_MAX_SESSIONS ?? 16);

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
function speechEnds(maxEndpointDelayMs: number): number[] {
  const options = liveSegmenterOptions({ endpointDetection: true, maxEndpointDelayMs });
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

const hark = await startHark({
  HARK_LOG_LEVEL: 'error',
  HARK_MAX_CONCURRENT_SESSIONS: '1000',
  HARK_REQUESTS_PER_MINUTE: '100000',
});
const work = await mkdtemp(join(tmpdir(), 'hark-bench-realtime-'));
try {
  const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  const wav = encode(work, pcm, 'speech.wav');
  const transcription = await client.stt.transcribe({ model: 'stt-async-v4', file: await readFile(wav), filename: 'speech.wav', wait: true });
  const asyncText = (await transcription.getTranscript())!.text;

  console.log(`Real-time benchmark: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at start, ${(pcm.length / PCM_MS / 1000).toFixed(1)} s of speech per session`);
  // Loads the recognition threads, so the first measured session does not wait for them.
  await runSession(hark.wsUrl, {
    start: { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
    frames: [pcm.subarray(0, 3 * 32_000), ''],
  });

  console.log('\n1. Sessions at real-time pace (lag: frame sent → a message covers its audio)');
  console.log('sessions  p50 lag   p95 lag   max lag   end of speech → finals p50 / p95   WER finals vs async (mean)');
  let sustained = 0;
  for (const n of [1, 2, 3, 4, 6, 8, 10, 12, 16].filter((x) => x <= MAX_SESSIONS)) {
    // Staggered starts, as real clients connect: utterances do not all end at once.
    const runs = await Promise.all(Array.from({ length: n }, (_, i) => paced(hark, {}, (i * 1000) / n)));
    const all = runs.flatMap(lags);
    const finals = runs.flatMap((run) => finalLatencies(run, FRAME_MS));
    const wer = runs.reduce((sum, run) => sum + wordErrorRate(asyncText, finalText(run)), 0) / runs.length;
    const p95 = percentile(all, 95);
    console.log(
      `${String(n).padStart(8)}  ${ms(percentile(all, 50)).padStart(8)}  ${ms(p95).padStart(8)}  ${ms(Math.max(...all)).padStart(8)}  ${`${ms(percentile(finals, 50))} / ${ms(percentile(finals, 95))}`.padStart(26)}   ${(wer * 100).toFixed(1).padStart(6)}%`,
    );
    if (p95 >= 1000) break;
    sustained = n;
  }
  console.log(`=> ${sustained} real-time session(s) sustained with p95 lag under 1 s on ${availableParallelism()} cores`);

  console.log('\n2. One session: latencies');
  const plain = await paced(hark);
  console.log(`first non-final token after the first speech was sent: ${ms(firstTokenLatency(plain))}`);
  console.log('max_endpoint_delay_ms   end of speech → <end>: median   p95    max   (utterances)');
  for (const delay of [500, 1000, 2000]) {
    const run = await paced(hark, { enable_endpoint_detection: true, max_endpoint_delay_ms: delay });
    const l = endpointLatencies(run, speechEnds(delay));
    console.log(`${String(delay).padStart(21)}   ${ms(percentile(l, 50)).padStart(22)}  ${ms(percentile(l, 95)).padStart(6)}  ${ms(Math.max(...l)).padStart(6)}   (${l.length})`);
  }
} finally {
  await hark.dispose();
  await rm(work, { recursive: true, force: true });
}
