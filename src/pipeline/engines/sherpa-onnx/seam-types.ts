// TEMPORARY: the shapes of the engine seam the openai-engine branch is landing; replaced by
// imports from ../speech-engine.js when it is merged. Not a second seam.
import type { PartialWord, RecognizedWord } from '../speech-engine.js';
import type { RecognitionContext } from '../../context/recognition-context.js';

export interface EngineCapabilities {
  streaming: boolean;
  batch: boolean;
  wordTimestamps: boolean;
  confidences: boolean;
  languages: readonly string[];
  languageIdentification: boolean;
  context: 'bias' | 'prompt' | 'none';
  batchConcurrency: number;
}
export interface BatchRequest {
  samples: Int16Array;
  offsetMs: number;
  language?: string | null;
  context?: RecognitionContext | null;
  signal?: AbortSignal;
}
export interface BatchRecognition {
  words: RecognizedWord[];
  language?: string;
}
export interface BatchRecognizer {
  recognize(request: BatchRequest): Promise<BatchRecognition>;
  free(): void;
}
export interface StreamingRecognizer {
  startUtterance(offsetMs: number): void;
  process(samples: Int16Array): void;
  partial(): PartialWord[];
  endUtterance(): RecognizedWord[];
  free(): void;
}
