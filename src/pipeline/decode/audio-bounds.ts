/**
 * The sample rates and channel counts Hark decodes. Decoding work per input
 * byte grows with 16 kHz ÷ rate, so a declared rate of 1 Hz turns a few
 * kilobytes into hours of audio; the range keeps the work proportional to
 * the bytes received (docs/security/audio.md gives the reasons for
 * each bound).
 */

/** Narrowband telephony (G.711, AMR-NB), the lowest rate speech is recorded at. */
export const MIN_SAMPLE_RATE = 8000;
/** Studio converters; nothing above it carries speech the 16 kHz engine can use. */
export const MAX_SAMPLE_RATE = 192_000;
/** Multitrack field recorders write up to 32 tracks into one WAV. */
export const MAX_CHANNELS = 32;

/**
 * What is wrong with a declared rate and channel count, in words a client
 * can read; null when both are within bounds. A null argument is one the
 * source did not declare, and passes.
 *
 * @example audioBoundsProblem(1, 1) // 'the sample rate of 1 Hz is outside the supported range (8000 to 192000 Hz)'
 * @example audioBoundsProblem(48_000, 2) // null
 */
export function audioBoundsProblem(sampleRate: number | null, channels: number | null): string | null {
  if (sampleRate !== null && !(Number.isInteger(sampleRate) && sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)) {
    return `the sample rate of ${sampleRate} Hz is outside the supported range (${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz)`;
  }
  if (channels !== null && !(Number.isInteger(channels) && channels >= 1 && channels <= MAX_CHANNELS)) {
    return `${channels} channels is outside the supported range (1 to ${MAX_CHANNELS})`;
  }
  return null;
}
