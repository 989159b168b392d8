/**
 * Speech is what stands out of the background: a frame is speech when its
 * energy is far enough above an adaptive noise floor (and not near-silent).
 * Cheap and language-independent, but any loud noise counts as speech.
 */
import { NoiseFloor } from './noise-floor.js';
import type { SpeechClassifier } from './speech-classifier.js';

// The noise floor is the 10th percentile of the last 5 s of frame energies.
const NOISE_WINDOW_FRAMES = 500;
const NOISE_QUANTILE = 0.1;
// The first frames wait for 300 ms of audio before being judged, so a file
// that starts mid-word is measured against a floor, not against itself.
const WARMUP_FRAMES = 30;
// Anything quieter than this (RMS ≈ 32 of 32768) is never speech, whatever
// the floor: it keeps dither in digital silence from opening utterances.
const MIN_SPEECH_DB = 30;

export class EnergyClassifier implements SpeechClassifier {
  private readonly floor = new NoiseFloor(NOISE_WINDOW_FRAMES, NOISE_QUANTILE);
  /** Warm-up energies waiting for a first floor estimate; null once judged. */
  private warmup: number[] | null = [];

  /** @param thresholdDb how far above the noise floor a frame must be to count as speech. */
  constructor(private readonly thresholdDb: number) {}

  add(_samples: Int16Array, _start: number, energyDb: number, labels: boolean[]): void {
    this.floor.add(energyDb);
    if (this.warmup === null) {
      labels.push(this.isSpeech(energyDb, this.floor.valueDb));
      return;
    }
    this.warmup.push(energyDb);
    if (this.warmup.length >= WARMUP_FRAMES) this.flush(labels);
  }

  flush(labels: boolean[]): void {
    if (this.warmup === null) return;
    const floorDb = this.floor.valueDb;
    for (const energyDb of this.warmup) labels.push(this.isSpeech(energyDb, floorDb));
    this.warmup = null;
  }

  private isSpeech(energyDb: number, floorDb: number): boolean {
    return energyDb >= floorDb + this.thresholdDb && energyDb >= MIN_SPEECH_DB;
  }
}
