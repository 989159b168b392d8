/**
 * Async throughput: audio-seconds transcribed per wall-second through Hark
 * (create → completed, timed by webhook; HARK_WORKERS jobs at once), next to
 * the raw engine (Debian's pocketsphinx_continuous) on the same 16 kHz wav
 * files with the same parallelism.
 *
 * With a sherpa-onnx model directory (`npm run bench:async -- <model-dir>`),
 * the same files also go through Hark running that model (HARK_ENGINE=sherpa-onnx),
 * printed against Hark with PocketSphinx from the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeDurationMs } from '../src/pipeline/decode/probe-duration.js';
import { librivoxUtterances } from '../test/support/librivox.js';
import { rawEngineTranscribe } from '../test/support/raw-engine.js';
import { startHark } from '../test/support/hark-process.js';
import { wallSeconds } from './webhook-wall-time.js';

const SHARED_AUDIO = new URL('../../../shared/audio/', import.meta.url).pathname;
const PARALLEL = availableParallelism();

/** Bench inputs as 16 kHz mono wav: the repo's shared samples when present, and LibriVox. */
async function inputs(dir: string): Promise<string[]> {
  const sources = ['coffee_shop.mp3', 'audio_dialog.mp3', 'two_way_translation.mp3']
    .map((f) => join(SHARED_AUDIO, f))
    .filter(existsSync);
  const concat = librivoxUtterances().flatMap((u) => ['-i', u.wavPath]);
  const librivox = join(dir, 'librivox.wav');
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...concat, '-filter_complex', `concat=n=${concat.length / 2}:v=0:a=1`, '-ar', '16000', '-ac', '1', librivox]);
  const out = [librivox];
  for (const [i, src] of sources.entries()) {
    const wav = join(dir, `shared-${i}.wav`);
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', src, '-ar', '16000', '-ac', '1', wav]);
    out.push(wav);
  }
  return out;
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

/** Wall seconds for Hark (started with `env`) to complete every file in `work`, timed by webhook. */
async function harkWallSeconds(work: string[], env: Record<string, string>): Promise<number> {
  const hark = await startHark({ HARK_LOG_LEVEL: 'error', HARK_MAX_PENDING_TRANSCRIPTIONS: '1000', ...env });
  try {
    return await wallSeconds(hark, work);
  } finally {
    await hark.dispose();
  }
}

/** A sherpa-onnx model directory to compare, from the command line. */
const SHERPA_MODEL_DIR = process.argv[2] ?? null;

const dir = await mkdtemp(join(tmpdir(), 'hark-bench-'));
try {
  const files = await inputs(dir);
  // Every file three times, so both engines work on a queue longer than the parallelism.
  const work = [...files, ...files, ...files];
  let audioMs = 0;
  for (const f of work) audioMs += (await probeDurationMs(f)) ?? 0;
  const audioS = audioMs / 1000;

  let started = performance.now();
  await inParallel(work, PARALLEL, (f) => rawEngineTranscribe(f));
  const rawS = (performance.now() - started) / 1000;

  const harkS = await harkWallSeconds(work, {});
  console.log(`${work.length} files, ${audioS.toFixed(0)} s of audio, ${PARALLEL} at once`);
  console.log(`raw pocketsphinx_continuous: ${rawS.toFixed(1)} s wall, ${(audioS / rawS).toFixed(1)} audio-s per wall-s`);
  console.log(`Hark async pipeline:         ${harkS.toFixed(1)} s wall, ${(audioS / harkS).toFixed(1)} audio-s per wall-s`);
  console.log(`pipeline overhead vs raw: ${(((harkS - rawS) / rawS) * 100).toFixed(1)}% (goal <= 10%)`);
  if (SHERPA_MODEL_DIR) {
    const sherpaS = await harkWallSeconds(work, { HARK_ENGINE: 'sherpa-onnx', HARK_ENGINE_MODEL: SHERPA_MODEL_DIR });
    console.log(`Hark with sherpa-onnx (${SHERPA_MODEL_DIR}): ${sherpaS.toFixed(1)} s wall, ${(audioS / sherpaS).toFixed(1)} audio-s per wall-s`);
    console.log(`sherpa-onnx vs PocketSphinx, both through Hark: ${(harkS / sherpaS).toFixed(2)}x the throughput`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
