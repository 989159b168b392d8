/**
 * Errors of the decode stage. Each carries a stable `code` so it can be told
 * apart after crossing a worker-thread boundary, where only plain data
 * survives (see jobs/recognition-messages.ts).
 */

/** The file is not audio ffmpeg can decode, or holds no audio at all. */
export class AudioDecodeError extends Error {
  readonly code = 'audio_decode_error';
  override readonly name = 'AudioDecodeError';

  /** @param reason what ffmpeg (or the check that failed) said, without server paths. */
  constructor(readonly reason: string) {
    super(`Audio file could not be decoded: ${reason}`);
  }
}

/** The audio lasts longer than the caller allows. */
export class AudioTooLongError extends Error {
  readonly code = 'audio_too_long';
  override readonly name = 'AudioTooLongError';

  constructor(readonly maxDurationMs: number) {
    super(`Audio is longer than the maximum of ${maxDurationMs} ms`);
  }
}
