import { execFile } from 'node:child_process';
import { ffmpegInputArgs } from './ffmpeg-input.js';

// Probing reads headers only; a file that takes longer is not worth waiting for.
const PROBE_TIMEOUT_MS = 30_000;

/**
 * The duration a file's container declares, in whole milliseconds, read with
 * ffprobe. It is an estimate (VBR mp3 headers can be off) meant for failing
 * early; the decoded sample count is authoritative.
 *
 * @returns null when the duration is unknown or the file cannot be probed
 *   (decoding it then reports the real problem).
 * @example await probeDurationMs('talk.mp3') // 16079
 */
export function probeDurationMs(path: string): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', ...ffmpegInputArgs(path)],
      { timeout: PROBE_TIMEOUT_MS },
      (err, stdout) => {
        const seconds = Number.parseFloat(stdout);
        resolve(err || !Number.isFinite(seconds) ? null : Math.round(seconds * 1000));
      },
    );
  });
}
