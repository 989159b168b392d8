/**
 * How fast the streaming decoder runs on this machine, measured on bundled
 * speech (a LibriVox recording of Debian's pocketsphinx-testdata) the way a
 * live session feeds it: 320 ms chunks, a partial hypothesis after each.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { StreamingRecognizer } from '../speech-engine.js';

const CALIBRATION_WAV = '/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav';
/** Enough speech for a stable figure, little enough to take about a second on a slow machine. */
const CALIBRATION_SAMPLES = 2 * 16_000;
const CHUNK_SAMPLES = 320 * 16;
const WAV_HEADER_BYTES = 44;

/**
 * CPU time is the engine's speed on these cores; wall time also counts
 * whatever else ran meanwhile (the other workers loading, at start).
 * Null when the bundled speech is not installed.
 */
export function measureStreamingSpeed(recognizer: StreamingRecognizer): { audioMs: number; cpuMs: number; elapsedMs: number } | null {
  if (!existsSync(CALIBRATION_WAV)) return null;
  const bytes = readFileSync(CALIBRATION_WAV).subarray(WAV_HEADER_BYTES);
  const all = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.length & ~1)));
  const samples = all.subarray(0, CALIBRATION_SAMPLES);
  const started = performance.now();
  const cpu = process.cpuUsage();
  recognizer.startSession?.();
  recognizer.startUtterance(0);
  for (let at = 0; at < samples.length; at += CHUNK_SAMPLES) {
    recognizer.process(samples.subarray(at, at + CHUNK_SAMPLES));
    recognizer.partial();
  }
  recognizer.endUtterance();
  const used = process.cpuUsage(cpu);
  return { audioMs: samples.length / 16, cpuMs: (used.user + used.system) / 1000, elapsedMs: performance.now() - started };
}
