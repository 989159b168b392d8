/**
 * PocketSphinx's whole-utterance decode as the seam's batch call. The
 * decode is synchronous: it runs in a worker process (jobs/), and the
 * promise it returns is already settled.
 */
import type { RecognitionContext } from '../../context/recognition-context.js';
import type { BatchRecognition, BatchRecognizer, BatchRequest } from '../speech-engine.js';
import type { Recognizer } from './pocketsphinx-engine.js';

export class PocketSphinxBatchRecognizer implements BatchRecognizer {
  /** The context whose search is selected; undefined: none chosen yet. */
  private applied: RecognitionContext | null | undefined = undefined;

  constructor(private readonly decoder: Recognizer) {}

  prepare(context: RecognitionContext | null): void {
    // The same context (by identity) is already selected; a copy selects its search again, which is cheap once built.
    if (context === this.applied) return;
    this.applied = undefined;
    this.decoder.setContext(context);
    this.applied = context;
  }

  recognize(request: BatchRequest): Promise<BatchRecognition> {
    try {
      request.signal?.throwIfAborted();
      const context = request.context ?? null;
      // A decoder that never had a context needs no switch to "none".
      if (context !== null || this.applied !== undefined) this.prepare(context);
      return Promise.resolve({ words: this.decoder.recognize(request.samples, request.offsetMs) });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  free(): void {
    this.decoder.free();
  }
}
