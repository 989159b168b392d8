/**
 * The one place an engine is chosen by name: each engine registers what it
 * declares (known without loading anything, so the server can describe its
 * models) and how it is created. Engines with native code are imported
 * only when created, so a process loads the native code of its own engine alone.
 */
import type { EngineId, EngineSettings } from './engine-settings.js';
import { BoundedBatchEngine } from './bounded-batch-engine.js';
import { OpenAiEngine, openAiCapabilities } from './openai/openai-engine.js';
import { POCKETSPHINX_CAPABILITIES } from './pocketsphinx/model.js';
import { sherpaCapabilities } from './sherpa-onnx/capabilities.js';
import {
  type BatchEngine,
  type EngineCapabilities,
  type SpeechEngine,
  type StreamingEngine,
  asBatchEngine,
  asStreamingEngine,
} from './speech-engine.js';

interface EngineRegistration<S extends EngineSettings> {
  capabilities(settings: S): EngineCapabilities;
  create(settings: S): Promise<SpeechEngine>;
  /**
   * Recognition is a network call and costs the calling thread next to
   * nothing: the live final pass runs in the server process rather than in
   * worker processes (recognition.ts).
   */
  remote: boolean;
  /**
   * Loads the engine once outside this process, for engines whose native library ends the process
   * on a bad model instead of reporting it (sherpa-onnx): the error then names the cause.
   */
  verify?(settings: S): Promise<void>;
}

type Registry = { [Id in EngineId]: EngineRegistration<Extract<EngineSettings, { id: Id }>> };

const ENGINES: Registry = {
  pocketsphinx: {
    capabilities: () => POCKETSPHINX_CAPABILITIES,
    create: async (settings) => {
      const { PocketSphinxEngine } = await import('./pocketsphinx/pocketsphinx-engine.js');
      return new PocketSphinxEngine(settings.model, settings.decoderArgs);
    },
    remote: false,
  },
  openai: {
    capabilities: openAiCapabilities,
    create: async (settings) => {
      const { concurrency, timeoutMs, retries, backoffMs } = settings;
      return new BoundedBatchEngine(new OpenAiEngine(settings), { concurrency, timeoutMs, retries, backoffMs });
    },
    remote: true,
  },
  'sherpa-onnx': {
    capabilities: (settings) => sherpaCapabilities(settings.model),
    create: async (settings) => {
      const { SherpaOnnxEngine } = await import('./sherpa-onnx/sherpa-onnx-engine.js');
      return new SherpaOnnxEngine(settings.model);
    },
    remote: false,
    verify: async (settings) => {
      const { probeSherpaModel } = await import('./sherpa-onnx/load-probe.js');
      await probeSherpaModel(settings.model);
    },
  },
};

function registration<S extends EngineSettings>(settings: S): EngineRegistration<S> {
  const entry = ENGINES[settings.id] as EngineRegistration<S> | undefined;
  if (!entry) throw new Error(`Unknown speech engine "${settings.id}"`);
  return entry;
}

/** What the engine `settings` select declares, without loading it. */
export function engineCapabilities(settings: EngineSettings): EngineCapabilities {
  return registration(settings).capabilities(settings);
}

/**
 * Resolves once the engine `settings` select is known to load (a no-op for most engines).
 * @throws {Error} the engine's own account of why it cannot load.
 */
export async function verifyEngine(settings: EngineSettings): Promise<void> {
  await registration(settings).verify?.(settings);
}

/** True when recognition with this engine is a network call (see {@link EngineRegistration.remote}). */
export function isRemoteEngine(settings: EngineSettings): boolean {
  return registration(settings).remote;
}

/**
 * Loads the engine `settings` select.
 *
 * @throws {Error} the model or library cannot be loaded.
 * @example const engine = await createEngine({ id: 'pocketsphinx' });
 */
export function createEngine(settings: EngineSettings): Promise<SpeechEngine> {
  return registration(settings).create(settings);
}

/** @throws {Error} as {@link createEngine}, or the engine does not recognise in batch. */
export async function createBatchEngine(settings: EngineSettings): Promise<BatchEngine> {
  return asBatchEngine(await createEngine(settings));
}

/** @throws {Error} as {@link createEngine}, or the engine does not stream. */
export async function createStreamingEngine(settings: EngineSettings): Promise<StreamingEngine> {
  return asStreamingEngine(await createEngine(settings));
}
