/**
 * Synthetic 16 kHz test signals for the segmentation tests. "speech" is a
 * 440 Hz tone whose loudness swings by 20 dB four times a second, like
 * syllables; "tone" is steady; "noise" is low-level noise for a pause.
 */

type Part = ['speech' | 'tone' | 'noise', durationMs: number, amplitude?: number];

const DEFAULT_AMPLITUDE = { speech: 3000, tone: 3000, noise: 20 };

/**
 * Concatenates the parts. Noise comes from a fixed-seed generator, so every
 * call with the same parts returns the same samples.
 *
 * @example synth([['noise', 500], ['tone', 1000], ['noise', 500]])
 */
export function synth(parts: readonly Part[]): Int16Array {
  const total = parts.reduce((n, [, ms]) => n + ms * 16, 0);
  const out = new Int16Array(total);
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let i = 0;
  for (const [kind, ms, amplitude = DEFAULT_AMPLITUDE[kind]] of parts) {
    for (let n = 0; n < ms * 16; n++, i++) {
      const tone = Math.sin((2 * Math.PI * 440 * i) / 16000);
      const syllables = 0.55 + 0.45 * Math.cos((2 * Math.PI * 4 * n) / 16000);
      if (kind === 'noise') out[i] = Math.round(amplitude * (2 * random() - 1));
      else out[i] = Math.round(amplitude * tone * (kind === 'speech' ? syllables : 1));
    }
  }
  return out;
}
