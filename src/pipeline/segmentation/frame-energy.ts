/** Short-time energy of 16-bit PCM, the measure the voice activity segmenter works on. */

/** 10 ms at 16 kHz: the segmenter decides speech or pause once per frame. */
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 10;

/**
 * Mean power of `samples[start, start + length)` in dB relative to one
 * 16-bit step: digital silence is 0 dB, a full-scale square wave ≈ 90 dB.
 * The +1 inside the logarithm keeps silence finite.
 *
 * @example frameEnergyDb(new Int16Array(160), 0, 160) // 0
 */
export function frameEnergyDb(samples: Int16Array, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) {
    const s = samples[i]!;
    sum += s * s;
  }
  return 10 * Math.log10(sum / length + 1);
}
