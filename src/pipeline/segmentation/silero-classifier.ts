/**
 * Speech is what a neural network trained on speech and noise says it is,
 * and loud enough to be the talker's: the Silero VAD gives each 32 ms
 * window a speech probability, which holds up in steady noise where the
 * energy classifier hears speech in every loud frame; the foreground gate
 * (foreground-gate.ts) drops what Silero rightly calls speech but is the
 * crowd behind the talker, and the tail Silero keeps after the last word.
 * Measured in docs/vad.md.
 */
import { FRAME_SAMPLES } from './frame-energy.js';
import { ForegroundGate } from './foreground-gate.js';
import {
  SILERO_CONTEXT_SAMPLES,
  SILERO_STATE_SIZE,
  SILERO_WINDOW_SAMPLES,
  SileroModel,
} from './silero-model.js';
import type { SpeechClassifier } from './speech-classifier.js';

// Silero's own recommended operating point: speech starts at 0.5 and goes on
// while the probability stays above 0.35, so one doubtful window inside a
// word does not end it.
const SPEECH_THRESHOLD = 0.5;
const HOLD_THRESHOLD = 0.35;
// Babble 10 dB under the talker passes Silero as speech; 8 dB (holding to
// 11 dB) under the speech level is where it parted best from the talker's
// own weak sounds in the LibriVox mixes (docs/vad.md).
const FOREGROUND_BELOW_LEVEL_DB = 8;
const FOREGROUND_HOLD_DB = 3;

/** One stream's classifier; cheap to create (the network is shared, see {@link SileroModel.get}). */
export class SileroClassifier implements SpeechClassifier {
  private readonly model = SileroModel.get();
  private readonly state = new Float32Array(SILERO_STATE_SIZE);
  /** Context, then the window being filled. */
  private readonly input = new Float32Array(SILERO_CONTEXT_SAMPLES + SILERO_WINDOW_SAMPLES);
  private filled = 0;
  private windows = 0;
  private framesTaken = 0;
  private framesLabelled = 0;
  /** Probabilities of the last two windows: a frame may straddle them. */
  private previousProbability = 0;
  private lastProbability = 0;
  private speech = false;
  private readonly gate = new ForegroundGate(FOREGROUND_BELOW_LEVEL_DB, FOREGROUND_HOLD_DB);
  /** Verdicts of the network and of the gate not yet combined: each side may run ahead. */
  private readonly networkLabels: boolean[] = [];
  private readonly gateLabels: boolean[] = [];

  add(samples: Int16Array, start: number, energyDb: number, labels: boolean[]): void {
    this.gate.add(energyDb, this.gateLabels);
    this.framesTaken++;
    for (let i = start; i < start + FRAME_SAMPLES; i++) {
      this.input[SILERO_CONTEXT_SAMPLES + this.filled++] = samples[i]! / 32768;
      if (this.filled === SILERO_WINDOW_SAMPLES) this.runWindow();
    }
    this.combine(labels);
  }

  flush(labels: boolean[]): void {
    this.gate.flush(this.gateLabels);
    // Frames of a window not yet complete keep the latest verdict: they are
    // at most 32 ms, and the window still runs once it fills.
    while (this.framesLabelled < this.framesTaken) this.label(this.lastProbability);
    this.combine(labels);
  }

  private runWindow(): void {
    this.previousProbability = this.lastProbability;
    this.lastProbability = this.model.probability(this.input, this.state);
    this.input.copyWithin(0, SILERO_WINDOW_SAMPLES);
    this.filled = 0;
    this.windows++;
    // Frames that end inside the windows run so far are decided; one that
    // began in the previous window is speech if either window says so.
    const decidable = Math.min(this.framesTaken, Math.floor((this.windows * SILERO_WINDOW_SAMPLES) / FRAME_SAMPLES));
    const windowStartSample = (this.windows - 1) * SILERO_WINDOW_SAMPLES;
    while (this.framesLabelled < decidable) {
      const straddles = this.framesLabelled * FRAME_SAMPLES < windowStartSample;
      this.label(straddles ? Math.max(this.previousProbability, this.lastProbability) : this.lastProbability);
    }
  }

  private label(probability: number): void {
    this.speech = probability >= (this.speech ? HOLD_THRESHOLD : SPEECH_THRESHOLD);
    this.networkLabels.push(this.speech);
    this.framesLabelled++;
  }

  private combine(labels: boolean[]): void {
    const n = Math.min(this.networkLabels.length, this.gateLabels.length);
    for (let i = 0; i < n; i++) labels.push(this.networkLabels[i]! && this.gateLabels[i]!);
    this.networkLabels.splice(0, n);
    this.gateLabels.splice(0, n);
  }
}
