/**
 * Speed of the batch pipeline against Debian's pocketsphinx_continuous on the
 * same files: real-time factor = processing time / audio duration.
 *
 *   npm run build && node dist/bench/recognition-speed.js
 *
 * Ours runs in a warm recognition worker (model loaded once at start-up, as in
 * the server); the CLI loads the model for every file, so its load time is
 * measured separately on a tenth of a second of silence and shown apart.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecognitionPool } from '../src/jobs/recognition-pool.js';
import { wordErrorRate } from '../src/lib/wer.js';
import { librivoxUtterances } from '../test/support/librivox.js';
import { rawEngineTranscribe } from '../test/support/raw-engine.js';

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const began = performance.now();
  const result = await run();
  return [result, performance.now() - began];
}

const dir = mkdtempSync(join(tmpdir(), 'hark-bench-'));
const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);
const utterances = librivoxUtterances();
const silence = join(dir, 'silence.wav');
ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '0.1', silence);
const all = join(dir, 'all-five.wav');
ffmpeg(...utterances.flatMap((u) => ['-i', u.wavPath]), '-filter_complex', `concat=n=${utterances.length}:v=0:a=1`, all);
const tenTimes = join(dir, 'all-five-x10.wav');
ffmpeg('-stream_loop', '9', '-i', all, '-c', 'copy', tenTimes);

const files = [
  ...utterances.map((u) => ({ name: u.id.replace(/^.*-/, 'librivox '), path: u.wavPath, reference: u.reference })),
  { name: 'all five (25 s)', path: all, reference: utterances.map((u) => u.reference).join(' ') },
  { name: 'all five x10 (4 min)', path: tenTimes, reference: Array(10).fill(utterances.map((u) => u.reference).join(' ')).join(' ') },
];

const pool = new RecognitionPool({ size: 1 });
try {
  await pool.ready();
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) loads.push((await timed(() => rawEngineTranscribe(silence)))[1]);
  const loadMs = Math.min(...loads);
  console.log(`raw CLI start-up and model load: ${loadMs.toFixed(0)} ms per file\n`);
  console.log('file                  audio s   ours RTF  raw RTF  raw RTF w/o load   ours WER  raw WER');
  for (const file of files) {
    const [result, oursMs] = await timed(() => pool.transcribe({ audioPath: file.path, maxDurationMs: 3_600_000 }));
    const [rawText, rawMs] = await timed(() => rawEngineTranscribe(file.path));
    const audioMs = result.audioDurationMs;
    const ours = result.tokens.map((t) => t.text).join('');
    const cells = [
      file.name.padEnd(20),
      (audioMs / 1000).toFixed(1).padStart(8),
      (oursMs / audioMs).toFixed(3).padStart(10),
      (rawMs / audioMs).toFixed(3).padStart(8),
      ((rawMs - loadMs) / audioMs).toFixed(3).padStart(18),
      `${(wordErrorRate(file.reference, ours) * 100).toFixed(1)} %`.padStart(10),
      `${(wordErrorRate(file.reference, rawText) * 100).toFixed(1)} %`.padStart(8),
    ];
    console.log(cells.join(' '));
  }
} finally {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
}
