/**
 * Hostile-client benchmark: does an attacker slow down everyone else?
 *
 * Measures, first with no hostile clients and then with all of them running
 * at once, `/v1/models` latency (p50, p99 of an open-loop probe every 25 ms,
 * test/support/latency-probe.ts) and one live session's lag: the time from
 * the end of each spoken utterance, streamed at real-time pace (pcm_s16le,
 * 3840-byte frames every 120 ms), to its final tokens. Prints both and the
 * ratios; the goal is ≤ 2×.
 *
 * Hostile clients connect from 127.0.0.2 (the victim from 127.0.0.1), so
 * per-address limits apply to them only, and use their own API key:
 * - slowloris HTTP: connections that trickle request headers, or an upload
 *   body, one byte a second, reopened when the server closes them;
 * - garbage frames: sessions whose frames after a valid start are random
 *   text or random binary for `auto`, reopened as soon as they end;
 * - huge rates: raw sessions declaring absurd sample rates, each sending a
 *   20 KB frame;
 * - non-reading sockets: sessions that stop reading their socket, half of
 *   them still streaming audio, half of them sending nothing more.
 *
 * Settings: HARK_BENCH_SLOWLORIS (connections, default 200),
 * HARK_BENCH_HOSTILE_RATES (Hz, default 1,100,1000000). Admission limits
 * (sessions per minute, concurrent sessions) are raised: they have their
 * own tests, and this measures what hostile work costs everyone else.
 * Prints figures; never fails on time.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import WebSocket from 'ws';
import { wordErrorRate } from '../src/lib/wer.js';
import { startHark } from '../test/support/hark-process.js';
import { ModelsProbe, percentile, type ProbeSummary } from '../test/support/latency-probe.js';
import { finalText, runSession, slices, type SessionRun } from '../test/support/realtime-client.js';
import { speechPcm } from '../test/support/speech-audio.js';
import { finalLatencies } from './realtime-latency.js';

const FRAME_BYTES = 3840;
const FRAME_MS = 120;
const HOSTILE_ADDRESS = '127.0.0.2';
const ATTACKER_KEY = 'hark-bench-attacker-key-0123456789';
const SLOWLORIS = Number(process.env.HARK_BENCH_SLOWLORIS ?? 200);
const HOSTILE_RATES = (process.env.HARK_BENCH_HOSTILE_RATES ?? '1,100,1000000').split(',').map(Number);

/** Three LibriVox sentences with 1.2 s pauses. */
const pcm = speechPcm([0, 1, 2]);
const frames = slices(pcm, FRAME_BYTES);

const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a');

const hark = await startHark({
  HARK_API_KEYS: `hark-bench-victim-key-0123456789,${ATTACKER_KEY}`,
  HARK_LOG_LEVEL: 'error',
  HARK_MAX_CONCURRENT_SESSIONS: '1000',
  HARK_REQUESTS_PER_MINUTE: '100000',
});
const serverAlive = () => hark.child.exitCode === null && hark.child.signalCode === null;

interface Phase {
  probe: ProbeSummary;
  run: SessionRun | null;
  failure: string | null;
  lags: number[];
}

/** One victim session at real-time pace while the probe runs. */
async function measure(): Promise<Phase> {
  const probe = new ModelsProbe(hark);
  await probe.start();
  let run: SessionRun | null = null;
  let failure: string | null = null;
  try {
    run = await runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
      frames: [...frames, ''],
      paceMs: FRAME_MS,
      timeoutMs: 120_000,
    });
    const last = run.received.at(-1)?.message;
    if (!last?.finished) failure = `session ended with ${JSON.stringify(last)}`;
  } catch (err) {
    failure = (err as Error).message;
  }
  const summary = await probe.stop();
  return { probe: summary, run, failure, lags: run && !failure ? finalLatencies(run, FRAME_MS) : [] };
}

/** Counts of what the hostile clients saw, for the report. */
const seen = {
  slowClosedByServer: 0,
  garbageSessions: 0,
  hugeRateSessions: 0,
  nonReadingClosedByServer: 0,
  answers: new Map<string, number>(),
};
const count = (key: string) => seen.answers.set(key, (seen.answers.get(key) ?? 0) + 1);
let stopping = false;
const sockets = new Set<Socket>();
const webSockets = new Set<WebSocket>();

/** A slow HTTP client: headers (or, with `body`, an upload body) one byte a second; reopened when closed. */
function slowloris(body: boolean): void {
  if (stopping) return;
  const { port } = new URL(hark.baseUrl);
  const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: HOSTILE_ADDRESS });
  sockets.add(socket);
  const head = body
    ? 'POST /v1/files HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000000\r\n\r\n--b\r\n'
    : 'GET /v1/models HTTP/1.1\r\nHost: x\r\n';
  socket.write(head);
  const timer = setInterval(() => socket.write(body ? 'x' : 'X'), 1000);
  socket.on('error', () => {});
  socket.on('close', () => {
    clearInterval(timer);
    sockets.delete(socket);
    if (stopping) return;
    if (serverAlive()) seen.slowClosedByServer++;
    setTimeout(() => slowloris(body), 100);
  });
}

/** Opens an attacker session; resolves once it closes (or after `timeoutMs`, terminating it). */
function attackerSession(onOpen: (ws: WebSocket) => void, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(hark.wsUrl, { localAddress: HOSTILE_ADDRESS });
    webSockets.add(ws);
    const timer = setTimeout(() => ws.terminate(), timeoutMs);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if ('error_code' in message) count(`${message.error_code} ${message.error_message}`);
    });
    ws.on('open', () => onOpen(ws));
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(timer);
      webSockets.delete(ws);
      resolve();
    });
  });
}

const attackerStart = (fields: object) => JSON.stringify({ api_key: ATTACKER_KEY, model: 'stt-rt-v4', ...fields });

/** Sessions with random frames after a valid start, one after the other. */
async function garbageLoop(): Promise<void> {
  for (let i = 0; !stopping; i++) {
    seen.garbageSessions++;
    await attackerSession((ws) => {
      if (i % 2 === 0) {
        ws.send(attackerStart({ audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }));
        ws.send(randomBytes(64).toString('latin1'));
      } else {
        ws.send(attackerStart({ audio_format: 'auto' }));
        for (let f = 0; f < 8; f++) ws.send(randomBytes(4096));
        ws.send('');
      }
    });
  }
}

/** Raw sessions declaring the hostile rates in turn, each with one 20 KB frame. */
async function hugeRateLoop(): Promise<void> {
  for (let i = 0; !stopping; i++) {
    seen.hugeRateSessions++;
    const rate = HOSTILE_RATES[i % HOSTILE_RATES.length]!;
    await attackerSession((ws) => {
      ws.send(attackerStart({ audio_format: 'pcm_s16le', sample_rate: rate, num_channels: 1 }));
      ws.send(randomBytes(20_000));
      ws.send('');
    }, 60_000);
  }
}

/** A session that stops reading; `streaming`: it keeps sending audio, else it sends nothing more. Reopened when closed. */
function nonReading(streaming: boolean): void {
  if (stopping) return;
  const ws = new WebSocket(hark.wsUrl, { localAddress: HOSTILE_ADDRESS });
  webSockets.add(ws);
  let timer: NodeJS.Timeout | null = null;
  ws.on('open', () => {
    ws.send(attackerStart({ audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }));
    ws.send(pcm.subarray(0, 32_000));
    // The ws client has no pause(); stopping its socket stops reading at the TCP level.
    (ws as unknown as { _socket: Socket })._socket.pause();
    let at = 32_000;
    if (streaming) {
      timer = setInterval(() => {
        ws.send(pcm.subarray(at % pcm.length, (at % pcm.length) + FRAME_BYTES));
        at += FRAME_BYTES;
      }, FRAME_MS);
    }
  });
  ws.on('error', () => {});
  ws.on('close', () => {
    if (timer) clearInterval(timer);
    webSockets.delete(ws);
    if (stopping) return;
    if (serverAlive()) seen.nonReadingClosedByServer++;
    setTimeout(() => nonReading(streaming), 100);
  });
}

function startHostile(): Promise<void>[] {
  for (let i = 0; i < SLOWLORIS; i++) slowloris(i % 2 === 1);
  for (let i = 0; i < 4; i++) nonReading(i % 2 === 0);
  return [garbageLoop(), garbageLoop(), hugeRateLoop()];
}

async function stopHostile(loops: Promise<void>[]): Promise<void> {
  stopping = true;
  for (const socket of sockets) socket.destroy();
  for (const ws of webSockets) ws.terminate();
  await Promise.all(loops);
}

function report(label: string, phase: Phase): void {
  const p = phase.probe;
  const lag = phase.failure
    ? `session failed: ${phase.failure.slice(0, 200)}`
    : `final lag p50 ${ms(percentile(phase.lags, 50))}, max ${ms(Math.max(...phase.lags))} (${phase.lags.length} finals), WER vs. quiet run ${phase.run && baselineText !== null ? `${(wordErrorRate(baselineText, finalText(phase.run)) * 100).toFixed(1)}%` : 'n/a'}`;
  console.log(`${label.padEnd(22)} /v1/models p50 ${ms(p.p50Ms)}, p99 ${ms(p.p99Ms)}, max ${ms(p.maxMs)} (${p.count} probes, ${p.misses} over 200 ms)`);
  console.log(`${''.padEnd(22)} ${lag}`);
}

let baselineText: string | null = null;
try {
  console.log(`Hostile-client benchmark: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at start, ${(pcm.length / 32_000).toFixed(1)} s of speech per session`);
  console.log(
    `hostile clients (from ${HOSTILE_ADDRESS}, own key): ${SLOWLORIS} slowloris HTTP (half headers, half upload body, 1 byte/s), ` +
      `2 garbage-frame session loops, 1 huge-rate session loop (${HOSTILE_RATES.join(', ')} Hz, 20 KB each), 4 non-reading sessions (2 streaming, 2 silent)`,
  );
  // Loads the recognition threads, so the first measured session does not wait for them.
  await runSession(hark.wsUrl, {
    start: { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
    frames: [pcm.subarray(0, 3 * 32_000), ''],
  });

  const quiet = await measure();
  if (quiet.run && !quiet.failure) baselineText = finalText(quiet.run);
  report('no hostile clients', quiet);

  const loops = startHostile();
  // Let the hostile clients get going (connections open, first sessions running) before measuring.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const hostile = await measure();
  const alive = serverAlive();
  await stopHostile(loops);
  report('with hostile clients', hostile);

  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a');
  console.log(
    `ratio with / without: /v1/models p99 ${ratio(hostile.probe.p99Ms, quiet.probe.p99Ms)}, ` +
      `session final lag p50 ${ratio(percentile(hostile.lags, 50), percentile(quiet.lags, 50))}, ` +
      `max ${ratio(Math.max(...hostile.lags), Math.max(...quiet.lags))} (goal ≤ 2×)`,
  );
  console.log(
    `hostile side: ${seen.slowClosedByServer} slow connections closed by the server, ${seen.garbageSessions} garbage sessions, ` +
      `${seen.hugeRateSessions} huge-rate sessions, ${seen.nonReadingClosedByServer} non-reading sessions closed by the server`,
  );
  console.log(`errors the hostile sessions got: ${[...seen.answers].map(([k, n]) => `${n}× ${k}`).join('; ') || 'none'}`);
  if (!alive) console.log(`THE SERVER DIED during the hostile phase; its last output:\n${hark.output().slice(-2000)}`);
} finally {
  await hark.dispose();
}
