/**
 * Foreground speech is loud: a frame far below the recent speech level is
 * background even when it sounds like speech. The level is the 90th
 * percentile of the last 5 s of frame energies, so it follows the talker
 * (and the microphone gain) as they change.
 */
import { NoiseFloor } from './noise-floor.js';

// The sliding percentile behind the noise floor serves for the speech level too.
const LEVEL_WINDOW_FRAMES = 500;
const LEVEL_QUANTILE = 0.9;
// As for the noise floor: 300 ms of audio before the first judgement.
const WARMUP_FRAMES = 30;

export class ForegroundGate {
  private readonly level = new NoiseFloor(LEVEL_WINDOW_FRAMES, LEVEL_QUANTILE);
  /** Warm-up energies waiting for a first level estimate; null once judged. */
  private warmup: number[] | null = [];
  private foreground = false;

  /**
   * @param belowLevelDb how far below the speech level a frame may be and still start foreground.
   * @param holdDb how much further below it foreground goes on, so a weak sound between two loud ones stays in.
   */
  constructor(
    private readonly belowLevelDb: number,
    private readonly holdDb: number,
  ) {}

  /** Takes the next frame's energy; appends the verdicts now known (foreground or not), oldest first. */
  add(energyDb: number, verdicts: boolean[]): void {
    this.level.add(energyDb);
    if (this.warmup === null) {
      verdicts.push(this.judge(energyDb, this.level.valueDb));
      return;
    }
    this.warmup.push(energyDb);
    if (this.warmup.length >= WARMUP_FRAMES) this.flush(verdicts);
  }

  /** Judges the frames still waiting for a level. */
  flush(verdicts: boolean[]): void {
    if (this.warmup === null) return;
    const levelDb = this.level.valueDb;
    for (const energyDb of this.warmup) verdicts.push(this.judge(energyDb, levelDb));
    this.warmup = null;
  }

  private judge(energyDb: number, levelDb: number): boolean {
    this.foreground = energyDb >= levelDb - this.belowLevelDb - (this.foreground ? this.holdDb : 0);
    return this.foreground;
  }
}
