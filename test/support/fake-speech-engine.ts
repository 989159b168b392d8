/**
 * A scriptable SpeechEngine for unit tests: no model, instant answers, and a
 * record of what it was asked. Never an engine a user can select.
 */
import type {
  EngineCapabilities,
  PartialWord,
  RecognizedWord,
  Recognizer,
  SpeechEngine,
} from '../../src/pipeline/engines/speech-engine.js';

/** Returns the words for one utterance given in batch. */
export type FakeScript = (samples: Int16Array, offsetMs: number) => RecognizedWord[];

/** By default every utterance is the word "hello", 100–400 ms into it. */
const sayHello: FakeScript = (_, offsetMs) => [
  { word: 'hello', startMs: offsetMs + 100, endMs: offsetMs + 400, confidence: 0.9 },
];

export class FakeSpeechEngine implements SpeechEngine {
  readonly id = 'fake';
  readonly capabilities: EngineCapabilities = { streaming: false, wordTimestamps: true, languages: ['en'] };
  /** Every batch call, in order. */
  readonly calls: { offsetMs: number; sampleCount: number }[] = [];
  recognizersCreated = 0;
  recognizersFreed = 0;

  constructor(private readonly script: FakeScript = sayHello) {}

  createRecognizer(): Recognizer {
    this.recognizersCreated++;
    const notScripted = (): never => {
      throw new Error('FakeSpeechEngine does not stream');
    };
    return {
      recognize: (samples, offsetMs) => {
        this.calls.push({ offsetMs, sampleCount: samples.length });
        return this.script(samples, offsetMs);
      },
      startUtterance: notScripted,
      process: notScripted,
      partial: (): PartialWord[] => notScripted(),
      endUtterance: notScripted,
      free: () => {
        this.recognizersFreed++;
      },
    };
  }

  close(): void {}
}
