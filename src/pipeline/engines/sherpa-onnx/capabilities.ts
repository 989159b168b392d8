/** What a sherpa-onnx model can do, known from its description alone (no native code loaded). */
import type { ModelDescription } from '../../../services/speech-models/installed-models.js';
import type { EngineCapabilities } from '../speech-engine.js';
import { STREAMING_FAMILIES, takesHotwords } from './model-files.js';

/** `model.dir`, when known, tells whether the model takes hotwords (a transducer with a BPE vocabulary there). */
export function sherpaCapabilities(model: ModelDescription & { dir?: string }): EngineCapabilities {
  const streaming = STREAMING_FAMILIES.has(model.family);
  return {
    streaming,
    batch: true,
    wordTimestamps: true,
    // Transducers give per-token log probabilities; CTC, Whisper and Moonshine results carry none.
    confidences: model.family === 'zipformer-transducer-streaming' || model.family === 'nemo-transducer',
    languages: model.languages,
    languageIdentification: model.family === 'sense-voice' || (model.family === 'whisper' && model.languages.length > 1),
    // Transducers with a bpe.vocab take the context's terms as hotwords; the rest ignore context (a hint, not a requirement).
    context: takesHotwords(model) ? 'bias' : 'none',
    batchConcurrency: 1,
  };
}

