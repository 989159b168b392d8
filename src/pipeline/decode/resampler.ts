/**
 * Streaming sample-rate conversion that reproduces ffmpeg's libswresample
 * (its defaults: Kaiser-windowed sinc, 32 taps, β = 9, cutoff 0.97, exact
 * rational phases, mirrored edges, 16-bit fixed point for 16-bit sources).
 * Raw audio decoded here and the same audio decoded by ffmpeg for an async
 * job must reach the engine as the same samples: PocketSphinx turns a
 * difference of one least significant bit into a different word often
 * enough to matter.
 */

const FILTER_SIZE = 32;
const KAISER_BETA = 9;
const CUTOFF = 0.97;
/** libswresample's default phase count (phase_shift 10). */
const MAX_PHASES = 1024;
/** Bookkeeping of one output sample (position, phase, rounding), in multiply-adds. */
const OUTPUT_OVERHEAD = 24;
/** Computing one filter coefficient (sinc, Bessel series, rounding), in multiply-adds. */
const COEFFICIENT_WORK = 60;

/**
 * `int16`: samples are integers in the 16-bit range, filtered in 16-bit
 * fixed point (what libswresample does when input and output are ≤ 16 bits).
 * `float`: samples are floats, filtered in double precision.
 */
export type ResamplerPrecision = 'int16' | 'float';

/** 0th order modified Bessel function of the first kind (its power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 100; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** C's lrintf: to float precision, then to the nearest integer, ties to even. */
function lrintf(value: number): number {
  const f = Math.fround(value);
  const r = Math.round(f);
  return r - f === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Converts a mono stream from `inRate` to `outRate`. Output sample n sits at
 * input time n·inRate/outRate (no filter delay), so timestamps carry over.
 *
 * @example
 * const resampler = new Resampler(8000, 16000, 'int16');
 * const out = [...resampler.process(chunk1), ...resampler.process(chunk2), ...resampler.flush()];
 */
export class Resampler {
  private readonly taps: number;
  /** Index of the tap that falls on the input sample at or before the output position. */
  private readonly center: number;
  private readonly phases: number;
  /** Positions between two tabulated phases are interpolated (rates with no small common period). */
  private readonly interpolate: boolean;
  /**
   * (phases + 1) rows of `taps` coefficients, built row by row as they are
   * first needed or through {@link prepare}: the full table of a 191,999 Hz
   * input (1025 × 396) takes tens of milliseconds to compute.
   */
  private readonly table: Float64Array;
  private readonly ready: Uint8Array;
  /** Rows phases − p are row p reversed (the window is even around its centre), as libswresample has it. */
  private readonly mirrored: boolean;
  private readonly factor: number;
  /** libswresample scales every phase by the sum of phase 0. */
  private readonly norm: number;
  /** The next row {@link prepare} builds. */
  private prepared = 0;
  /**
   * What one input sample costs to convert, in multiply-adds: callers size
   * their chunks by it so that no single `process` call runs long (a slow
   * input rate makes many outputs per input sample, a fast one long filters).
   */
  readonly workPerInputSample: number;
  /** Input not yet consumed; `history[0]` is input sample `historyStart`. */
  private history = new Float64Array(0);
  private historyStart = 0;
  private received = 0;
  /** Index of the next output sample. */
  private next = 0;

  /** @throws {RangeError} for rates that are not positive integers. */
  constructor(
    private readonly inRate: number,
    private readonly outRate: number,
    private readonly precision: ResamplerPrecision,
  ) {
    if (!(Number.isInteger(inRate) && inRate > 0 && Number.isInteger(outRate) && outRate > 0)) {
      throw new RangeError('Resampler rates must be positive integers');
    }
    // Downsampling lowers the cutoff below the output's Nyquist frequency and
    // widens the filter in proportion; upsampling only interpolates.
    const factor = Math.min(1, (outRate * CUTOFF) / inRate);
    let taps = Math.max(1, Math.ceil(FILTER_SIZE / factor));
    if (taps > 1) taps += taps % 2;
    this.taps = taps;
    this.center = Math.floor((taps - 1) / 2);
    const exact = outRate / gcd(outRate, inRate);
    this.phases = exact <= MAX_PHASES ? exact : MAX_PHASES;
    this.interpolate = exact > MAX_PHASES;
    this.factor = factor;
    this.table = new Float64Array((this.phases + 1) * taps);
    this.ready = new Uint8Array(this.phases + 1);
    this.mirrored = this.phases % 2 === 0;
    let norm = 0;
    for (let i = 0; i < taps; i++) norm += this.coefficient(0, i);
    this.norm = norm;
    this.workPerInputSample =
      inRate === outRate ? 1 : (outRate / inRate) * (OUTPUT_OVERHEAD + taps * (this.interpolate ? 2 : 1));
  }

  /** Converts the next input chunk; returns what can be computed so far. */
  process(input: ArrayLike<number>): Float64Array {
    if (this.inRate === this.outRate) return Float64Array.from(input);
    const joined = new Float64Array(this.history.length + input.length);
    joined.set(this.history);
    joined.set(input, this.history.length);
    this.history = joined;
    this.received += input.length;
    return this.produce(false);
  }

  /** Ends the stream: the outputs that need audio after the last sample. */
  flush(): Float64Array {
    if (this.inRate === this.outRate) return new Float64Array(0);
    return this.produce(true);
  }

  /**
   * Builds filter rows ahead of their first use, up to about `maxWork`
   * multiply-adds of it, so that a caller can spread the start-up cost over
   * several turns of the event loop.
   *
   * @returns true once every row is built.
   */
  prepare(maxWork: number): boolean {
    let work = 0;
    while (this.prepared <= this.phases && work < maxWork) {
      const row = this.prepared++;
      if (this.ready[row]) continue;
      work += this.taps * (this.mirrored && row > this.phases / 2 ? 1 : COEFFICIENT_WORK);
      this.buildRow(row);
    }
    return this.prepared > this.phases;
  }

  /** The unnormalised Kaiser-windowed sinc at tap `i` of phase `p`. */
  private coefficient(p: number, i: number): number {
    const { taps, center, phases, factor } = this;
    const d = i - center - p / phases;
    const x = Math.PI * d * factor;
    const w = (2 * d) / taps;
    return (x === 0 ? 1 : Math.sin(x) / x) * besselI0(KAISER_BETA * Math.sqrt(Math.max(1 - w * w, 0)));
  }

  private buildRow(row: number): void {
    const { taps, table } = this;
    const base = row * taps;
    if (this.mirrored && row > this.phases / 2) {
      const source = this.phases - row;
      if (!this.ready[source]) this.buildRow(source);
      for (let i = 0; i < taps; i++) table[base + i] = table[source * taps + taps - 1 - i]!;
    } else {
      for (let i = 0; i < taps; i++) {
        const y = this.coefficient(row, i);
        table[base + i] = this.precision === 'int16' ? Math.max(-32768, Math.min(32767, lrintf((y * 32768) / this.norm))) : y / this.norm;
      }
    }
    this.ready[row] = 1;
  }

  /** Input sample `k`, with the stream mirrored at both ends as libswresample does. */
  private sample(k: number, final: boolean): number {
    if (k < 0) k = -k;
    else if (final && k >= this.received) k = 2 * this.received - 1 - k;
    const at = k - this.historyStart;
    return at >= 0 && at < this.history.length ? this.history[at]! : 0;
  }

  private filter(row: number, first: number, final: boolean): number {
    if (!this.ready[row]) this.buildRow(row);
    let acc = 0;
    const base = row * this.taps;
    const at = first - this.historyStart;
    if (first >= 0 && at >= 0 && at + this.taps <= this.history.length) {
      for (let j = 0; j < this.taps; j++) acc += this.history[at + j]! * this.table[base + j]!;
    } else {
      for (let j = 0; j < this.taps; j++) acc += this.sample(first + j, final) * this.table[base + j]!;
    }
    return acc;
  }

  private produce(final: boolean): Float64Array {
    const after = this.taps - 1 - this.center;
    // Every output before received·outRate/inRate exists once the stream ends.
    // Output n needs input up to floor(n·inRate/outRate) + after, so the
    // count is known before the loop and the array is sized by the input.
    const end = final
      ? Math.ceil((this.received * this.outRate) / this.inRate)
      : Math.max(this.next, Math.ceil(((this.received - after) * this.outRate) / this.inRate));
    const out = new Float64Array(end - this.next);
    for (let n = 0; n < out.length; n++) {
      const position = this.next * this.inRate;
      const k = Math.floor(position / this.outRate);
      const phase = ((position % this.outRate) * this.phases) / this.outRate;
      const p = Math.floor(phase);
      const first = k - this.center;
      let value = this.filter(p, first, final);
      if (this.interpolate && phase > p) value += (this.filter(p + 1, first, final) - value) * (phase - p);
      if (this.precision === 'int16') value = Math.max(-32768, Math.min(32767, Math.floor((value + 16384) / 32768)));
      out[n] = value;
      this.next++;
    }
    // Keep the input the next output still needs, and the first samples
    // while the mirrored start may still need them.
    const keepFrom = Math.floor((this.next * this.inRate) / this.outRate) - this.center;
    if (keepFrom > this.taps && keepFrom > this.historyStart) {
      this.history = this.history.slice(keepFrom - this.historyStart);
      this.historyStart = keepFrom;
    }
    return out;
  }
}
