/**
 * Streaming sample-rate conversion with a Kaiser-windowed sinc filter, the
 * design (and defaults: 32 taps, β = 9, cutoff 0.97 when downsampling) of
 * ffmpeg's libswresample, so that raw audio decoded here and the same audio
 * decoded by ffmpeg for an async job reach the engine nearly sample-identical.
 */

const FILTER_SIZE = 32;
const KAISER_BETA = 9;
const CUTOFF = 0.97;
/** Filter phases tabulated per input sample; positions between two are interpolated. */
const PHASES = 1024;

/** Modified Bessel function of the first kind, order 0 (its power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * Converts a float stream from `inRate` to `outRate`. Output sample n sits at
 * input time n·inRate/outRate exactly (no filter delay), so timestamps carry
 * over unchanged; audio before the first sample and after the last counts as
 * silence.
 *
 * @example
 * const resampler = new Resampler(8000, 16000);
 * const out = [resampler.process(chunk1), resampler.process(chunk2), resampler.flush()];
 */
export class Resampler {
  private readonly taps: number;
  /** (PHASES + 1) rows of `taps` coefficients, each row summing to 1. */
  private readonly table: Float32Array;
  /** Input not yet consumed; `history[0]` is input sample `historyStart`. */
  private history = new Float32Array(0);
  private historyStart = 0;
  private received = 0;
  /** Index of the next output sample. */
  private next = 0;

  /** @throws {RangeError} for rates that are not positive integers. */
  constructor(
    private readonly inRate: number,
    private readonly outRate: number,
  ) {
    if (!(Number.isInteger(inRate) && inRate > 0 && Number.isInteger(outRate) && outRate > 0)) {
      throw new RangeError('Resampler rates must be positive integers');
    }
    // Downsampling lowers the cutoff below the output's Nyquist frequency and
    // widens the filter in proportion; upsampling only interpolates.
    const factor = Math.min(1, (outRate / inRate) * CUTOFF);
    this.taps = Math.ceil(FILTER_SIZE / factor / 2) * 2;
    const half = this.taps / 2;
    const norm = besselI0(KAISER_BETA);
    this.table = new Float32Array((PHASES + 1) * this.taps);
    for (let p = 0; p <= PHASES; p++) {
      let sum = 0;
      const row = this.table.subarray(p * this.taps, (p + 1) * this.taps);
      for (let j = 0; j < this.taps; j++) {
        // Distance from input sample (i - half + 1 + j) to the output position i + p/PHASES.
        const d = p / PHASES + half - 1 - j;
        const x = Math.PI * d * factor;
        const sinc = x === 0 ? 1 : Math.sin(x) / x;
        const w = d / half;
        const window = Math.abs(w) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - w * w)) / norm;
        row[j] = sinc * window;
        sum += row[j]!;
      }
      for (let j = 0; j < this.taps; j++) row[j]! /= sum;
    }
  }

  /** Converts the next input chunk; returns what can be computed so far. */
  process(input: Float32Array): Float32Array {
    if (this.inRate === this.outRate) return input;
    const joined = new Float32Array(this.history.length + input.length);
    joined.set(this.history);
    joined.set(input, this.history.length);
    this.history = joined;
    this.received += input.length;
    return this.produce(false);
  }

  /** Ends the stream: the outputs that need audio after the last sample. */
  flush(): Float32Array {
    if (this.inRate === this.outRate) return new Float32Array(0);
    return this.produce(true);
  }

  private produce(final: boolean): Float32Array {
    const half = this.taps / 2;
    // Every output before received·outRate/inRate exists once the stream ends.
    const total = final ? Math.ceil((this.received * this.outRate) / this.inRate) : Infinity;
    const out: number[] = [];
    for (;;) {
      const position = this.next * this.inRate;
      const i = Math.floor(position / this.outRate);
      if (this.next >= total || (!final && i + half >= this.received)) break;
      const phase = ((position % this.outRate) / this.outRate) * PHASES;
      const p = Math.floor(phase);
      const blend = phase - p;
      let acc0 = 0;
      let acc1 = 0;
      const first = i - half + 1 - this.historyStart;
      for (let j = 0; j < this.taps; j++) {
        const k = first + j;
        const x = k >= 0 && k < this.history.length ? this.history[k]! : 0;
        acc0 += x * this.table[p * this.taps + j]!;
        if (blend > 0) acc1 += x * this.table[(p + 1) * this.taps + j]!;
      }
      out.push(blend > 0 ? acc0 + (acc1 - acc0) * blend : acc0);
      this.next++;
    }
    // Keep only the input the next output still needs.
    const keepFrom = Math.floor((this.next * this.inRate) / this.outRate) - half + 1;
    const drop = Math.min(this.history.length, Math.max(0, keepFrom - this.historyStart));
    if (drop > 0) {
      this.history = this.history.slice(drop);
      this.historyStart += drop;
    }
    return Float32Array.from(out);
  }
}
