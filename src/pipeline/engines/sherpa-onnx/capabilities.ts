/** What a sherpa-onnx model can do, known from its description alone (no native code loaded). */
import type { ModelDescription } from '../../../services/speech-models/installed-models.js';
import type { EngineCapabilities } from '../speech-engine.js';
import { STREAMING_FAMILIES } from './model-files.js';

export function sherpaCapabilities(model: ModelDescription): EngineCapabilities {
  const streaming = STREAMING_FAMILIES.has(model.family);
  return {
    streaming,
    batch: true,
    wordTimestamps: true,
    // Transducers give per-token log probabilities; CTC, Whisper and Moonshine results carry none.
    confidences: model.family === 'zipformer-transducer-streaming' || model.family === 'nemo-transducer',
    languages: model.languages,
    languageIdentification: model.family === 'sense-voice' || (model.family === 'whisper' && model.languages.length > 1),
    // Hotwords need sherpa's modified beam search and a BPE vocabulary the archives do not all ship: not wired yet.
    context: 'none',
    batchConcurrency: 1,
  };
}

