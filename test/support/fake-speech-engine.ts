/**
 * A scriptable batch engine for unit tests: no model, instant answers (or
 * scripted delays and failures), and a record of what it was asked. Never
 * an engine a user can select.
 */
import type {
  BatchEngine,
  BatchRecognition,
  BatchRequest,
  EngineCapabilities,
  RecognizedWord,
} from '../../src/pipeline/engines/speech-engine.js';

/** Returns the words for one utterance given in batch (or a promise of them). */
export type FakeScript = (samples: Int16Array, offsetMs: number, request: BatchRequest) => RecognizedWord[] | Promise<RecognizedWord[]>;

/** By default every utterance is the word "hello", 100–400 ms into it. */
const sayHello: FakeScript = (_, offsetMs) => [
  { word: 'hello', startMs: offsetMs + 100, endMs: offsetMs + 400, confidence: 0.9 },
];

export class FakeSpeechEngine implements BatchEngine {
  readonly id = 'fake';
  readonly capabilities: EngineCapabilities;
  /** Every batch call, in order. */
  readonly calls: { offsetMs: number; sampleCount: number; language?: string | null }[] = [];
  recognizersCreated = 0;
  recognizersFreed = 0;

  constructor(private readonly script: FakeScript = sayHello, capabilities: Partial<EngineCapabilities> = {}) {
    this.capabilities = {
      streaming: false, batch: true, wordTimestamps: true, confidences: true, languages: ['en'],
      languageIdentification: false, context: 'none', batchConcurrency: 1, ...capabilities,
    };
  }

  createBatchRecognizer() {
    this.recognizersCreated++;
    return {
      recognize: async (request: BatchRequest): Promise<BatchRecognition> => {
        this.calls.push({ offsetMs: request.offsetMs, sampleCount: request.samples.length, ...(request.language ? { language: request.language } : {}) });
        return { words: await this.script(request.samples, request.offsetMs, request) };
      },
      free: () => {
        this.recognizersFreed++;
      },
    };
  }

  close(): void {}
}
