import { execFile } from 'node:child_process';
import { ffmpegInputArgs } from './ffmpeg-input.js';

// Probing reads headers only; a file that takes longer is not worth waiting for.
const PROBE_TIMEOUT_MS = 30_000;

/** What a file's headers declare; each field null when ffprobe could not tell. */
export interface ProbedAudio {
  /** The container's duration in whole milliseconds. */
  durationMs: number | null;
  /** Of the first audio stream, the one decode-audio.ts decodes. */
  sampleRate: number | null;
  channels: number | null;
}

const UNKNOWN: ProbedAudio = { durationMs: null, sampleRate: null, channels: null };

/** ffprobe prints numbers as strings or numbers, and 0 or "N/A" for what it does not know. */
function declared(value: unknown, orZero: boolean): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value) : Number.NaN;
  return Number.isFinite(n) && (n > 0 || (orZero && n === 0)) ? n : null;
}

/**
 * Reads a file's declared duration, sample rate and channel count with
 * ffprobe. They are claims (VBR mp3 headers can be off) meant for failing
 * early; the decoded sample count is authoritative.
 *
 * @returns every field null when the file cannot be probed (decoding it
 *   then reports the real problem).
 * @example await probeAudio('talk.wav') // { durationMs: 16079, sampleRate: 16000, channels: 1 }
 */
export function probeAudio(path: string): Promise<ProbedAudio> {
  return new Promise((resolve) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'format=duration:stream=sample_rate,channels', '-of', 'json', ...ffmpegInputArgs(path)],
      { timeout: PROBE_TIMEOUT_MS },
      (err, stdout) => {
        if (err) return resolve(UNKNOWN);
        let info: { format?: { duration?: unknown }; streams?: { sample_rate?: unknown; channels?: unknown }[] };
        try {
          info = JSON.parse(stdout) as typeof info;
        } catch {
          return resolve(UNKNOWN);
        }
        const seconds = declared(info.format?.duration, true);
        const stream = info.streams?.[0];
        resolve({
          durationMs: seconds === null ? null : Math.round(seconds * 1000),
          sampleRate: declared(stream?.sample_rate, false),
          channels: declared(stream?.channels, false),
        });
      },
    );
  });
}

/**
 * The duration a file's container declares, in whole milliseconds.
 *
 * @returns null when the duration is unknown or the file cannot be probed.
 * @example await probeDurationMs('talk.mp3') // 16079
 */
export async function probeDurationMs(path: string): Promise<number | null> {
  return (await probeAudio(path)).durationMs;
}
