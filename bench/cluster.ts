/**
 * SQLite against PostgreSQL, in one run on the same files:
 * - async throughput (audio-seconds per wall-second, create → webhook) of one
 *   embedded-SQLite node, and of PostgreSQL with one and with two worker
 *   processes; the recognition parallelism is the same in all three
 *   (HARK_WORKERS in all per machine), so the difference is the storage and queue;
 * - GET /v1/transcriptions/{id} req/s on an SQLite node and a PostgreSQL API node.
 * Goals: PostgreSQL async overhead <= 5 % of SQLite's wall time; REST >= 50 % of SQLite's req/s.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { probeDurationMs } from '../src/pipeline/decode/probe-duration.js';
import { librivoxUtterances } from '../test/support/librivox.js';
import { api, startHark, type HarkProcess } from '../test/support/hark-process.js';
import { sharedPostgres } from '../test/support/postgres.js';
import { wallSeconds } from './webhook-wall-time.js';

const PARALLEL = availableParallelism();
const REST_SECONDS = Number(process.env.HARK_BENCH_SECONDS ?? 10);
/** Copies of the input in the queue: longer than the parallelism, so every worker stays busy. */
const COPIES = Number(process.env.HARK_BENCH_COPIES ?? 6);

/** Lets start-up work (the real-time pool's calibration, warm-up) end before the clock starts. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5_000));

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** The LibriVox utterances as one 16 kHz wav. */
function input(dir: string): string {
  const concat = librivoxUtterances().flatMap((u) => ['-i', u.wavPath]);
  const path = join(dir, 'librivox.wav');
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...concat, '-filter_complex', `concat=n=${concat.length / 2}:v=0:a=1`, '-ar', '16000', '-ac', '1', path]);
  return path;
}


async function restReqPerSecond(node: HarkProcess): Promise<number> {
  const created = await api(node, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', audio_url: 'http://127.0.0.1:9/not-there.mp3' } });
  const result = await autocannon({
    url: `${node.baseUrl}/v1/transcriptions/${created.body.id as string}`,
    connections: 32,
    duration: REST_SECONDS,
    headers: { authorization: `Bearer ${node.apiKey}` },
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

const BASE = { HARK_LOG_LEVEL: 'error', HARK_MAX_PENDING_TRANSCRIPTIONS: '1000' };

/** A PostgreSQL cluster on its own database and blob dir: one API node and `workers` worker processes. */
async function pgCluster(dir: string, workers: number): Promise<HarkProcess[]> {
  const env = { ...BASE, HARK_DATABASE_URL: await (await sharedPostgres()).createDatabase(), HARK_BLOB_DIR: await mkdtemp(join(dir, 'blobs-')) };
  // The machine's recognition parallelism, split between the worker processes.
  const perWorker = String(Math.max(1, Math.floor(PARALLEL / workers)));
  return Promise.all([
    startHark({ ...env, HARK_ROLE: 'api', HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1' }),
    ...Array.from({ length: workers }, () => startHark({ ...env, HARK_ROLE: 'worker', HARK_WORKERS: perWorker })),
  ]);
}

async function disposeAll(nodes: HarkProcess[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.dispose()));
}

const dir = await mkdtemp(join(tmpdir(), 'hark-bench-cluster-'));
try {
  const file = input(dir);
  const files = Array.from({ length: COPIES }, () => file);
  const audioS = (((await probeDurationMs(file)) ?? 0) * files.length) / 1000;
  console.log(`${files.length} files, ${audioS.toFixed(0)} s of audio, ${PARALLEL} recognised at once in every setup; load average at start ${load()}`);

  const sqlite = await startHark({ ...BASE, HARK_WORKERS: String(PARALLEL) });
  let sqliteS: number;
  let sqliteRest: number;
  try {
    await settle();
    sqliteS = await wallSeconds(sqlite, files);
    sqliteRest = await restReqPerSecond(sqlite);
  } finally {
    await sqlite.dispose();
  }
  const line = (name: string, s: number) => console.log(`${name.padEnd(34)} ${s.toFixed(1)} s wall, ${(audioS / s).toFixed(2)} audio-s per wall-s`);
  line('SQLite, one node:', sqliteS);

  const one = await pgCluster(dir, 1);
  let oneS: number;
  let pgRest: number;
  try {
    await settle();
    oneS = await wallSeconds(one[0]!, files);
    pgRest = await restReqPerSecond(one[0]!);
  } finally {
    await disposeAll(one);
  }
  line('PostgreSQL, 1 worker process:', oneS);

  const two = await pgCluster(dir, 2);
  let twoS: number;
  try {
    await settle();
    twoS = await wallSeconds(two[0]!, files);
  } finally {
    await disposeAll(two);
  }
  line('PostgreSQL, 2 worker processes:', twoS);

  // The machine is shared: SQLite once more, after the others, shows how much the load moved meanwhile.
  const again = await startHark({ ...BASE, HARK_WORKERS: String(PARALLEL) });
  let againS: number;
  try {
    await settle();
    againS = await wallSeconds(again, files);
  } finally {
    await again.dispose();
  }
  line('SQLite again (load drift):', againS);
  sqliteS = (sqliteS + againS) / 2;
  const overhead = (s: number) => `${(((s - sqliteS) / sqliteS) * 100).toFixed(1)}%`;
  console.log(`PostgreSQL async overhead vs SQLite (mean of both SQLite runs): ${overhead(oneS)} (1 worker), ${overhead(twoS)} (2 workers) (goal <= 5%)`);
  console.log(`GET /v1/transcriptions/{id}: SQLite ${sqliteRest.toFixed(0)} req/s, PostgreSQL ${pgRest.toFixed(0)} req/s, ratio ${(pgRest / sqliteRest).toFixed(2)} (goal >= 0.50)`);
  console.log(`load average at end ${load()}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
