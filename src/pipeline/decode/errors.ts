/**
 * Errors of the decode stage. Each carries a stable `code` so it can be told
 * apart after crossing a worker-thread boundary, where only plain data
 * survives (see jobs/recognition-messages.ts).
 */

/**
 * The file is not audio ffmpeg can decode, holds no audio at all, or
 * declares a rate or channel count outside the bounds (audio-bounds.ts).
 */
export class AudioDecodeError extends Error {
  readonly code = 'audio_decode_error';
  override readonly name = 'AudioDecodeError';

  /**
   * @param reason what is wrong, in plain words a client may see
   *   ("the file is not in a supported audio format").
   * @param detail ffmpeg's own messages, for the log only: they name codec
   *   internals and change between ffmpeg versions.
   */
  constructor(
    readonly reason: string,
    readonly detail: string | null = null,
  ) {
    super(`Audio could not be decoded: ${reason}.`);
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
