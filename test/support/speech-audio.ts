/**
 * Test speech for streaming: LibriVox utterances of pocketsphinx-testdata
 * joined with pauses, and the same audio encoded by ffmpeg in the formats
 * a real-time client sends.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { librivoxUtterances } from './librivox.js';

/** 16 kHz mono s16le samples of the chosen LibriVox utterances, each followed by `pauseMs` of silence. */
export function speechPcm(indexes: number[] = [0, 1, 2, 3, 4], pauseMs = 1200): Buffer {
  const all = librivoxUtterances();
  const parts = indexes.flatMap((i) => [readFileSync(all[i]!.wavPath).subarray(44), Buffer.alloc(pauseMs * 32)]);
  return Buffer.concat(parts);
}

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args]);
}

/**
 * Writes `pcm` (16 kHz mono s16le) to `dir` as `name`, encoded by ffmpeg
 * with `args` (the output format follows the extension unless `args` says).
 *
 * @example encode(dir, pcm, 'speech.mulaw', ['-f', 'mulaw', '-ar', '8000'])
 */
export function encode(dir: string, pcm: Buffer, name: string, args: string[] = []): string {
  const raw = join(dir, `${name}.source.raw`);
  writeFileSync(raw, pcm);
  const out = join(dir, name);
  ffmpeg('-f', 's16le', '-ar', '16000', '-ac', '1', '-i', raw, ...args, out);
  return out;
}
