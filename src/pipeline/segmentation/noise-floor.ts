/**
 * Adaptive noise floor: a low percentile of the frame energies over a sliding
 * window. A percentile rather than the minimum, so a short digital dropout
 * does not drag the floor to 0 dB; a sliding window, so the floor follows
 * background noise that changes during a recording.
 */
export class NoiseFloor {
  // Energies are bucketed to whole dB; a 101-bucket histogram makes each
  // update O(1) and each query a short scan, with no sorting.
  private static readonly MAX_DB = 100;
  private readonly histogram = new Uint32Array(NoiseFloor.MAX_DB + 1);
  private readonly window: Uint8Array;
  private count = 0;
  private next = 0;

  /**
   * @param windowFrames how many of the latest frames the estimate covers.
   * @param quantile which percentile of them counts as the floor, in 0..1.
   */
  constructor(
    windowFrames: number,
    private readonly quantile: number,
  ) {
    if (!(windowFrames >= 1) || !(quantile >= 0 && quantile <= 1)) {
      throw new RangeError('NoiseFloor needs windowFrames >= 1 and quantile in 0..1');
    }
    this.window = new Uint8Array(windowFrames);
  }

  /** Adds the energy of the newest frame, forgetting the oldest once the window is full. */
  add(energyDb: number): void {
    const bucket = Math.min(NoiseFloor.MAX_DB, Math.max(0, Math.round(energyDb)));
    if (this.count === this.window.length) {
      this.histogram[this.window[this.next]!]!--;
    } else {
      this.count++;
    }
    this.window[this.next] = bucket;
    this.histogram[bucket]!++;
    this.next = (this.next + 1) % this.window.length;
  }

  /** The floor in whole dB; 0 before any frame was added. */
  get valueDb(): number {
    const rank = Math.max(1, Math.ceil(this.quantile * this.count));
    let seen = 0;
    for (let db = 0; db <= NoiseFloor.MAX_DB; db++) {
      seen += this.histogram[db]!;
      if (seen >= rank) return db;
    }
    return 0;
  }
}
