/**
 * What selects and configures an engine: plain data, so it travels as JSON
 * to the worker processes that load the engine (jobs/*-worker.ts). The
 * config module fills it from `HARK_ENGINE` and the engine's own variables;
 * engine-registry.ts turns it into an engine.
 */
import type { PocketSphinxModel } from './pocketsphinx/model.js';
import type { SherpaModel } from './sherpa-onnx/model-files.js';

export interface PocketSphinxSettings {
  id: 'pocketsphinx';
  /** Model files; default Debian's en-us. */
  model?: PocketSphinxModel;
  /** Further `-name value` decoder settings (the live streaming pass narrows its search). */
  decoderArgs?: string[];
}

/** A server of OpenAI's `POST /audio/transcriptions` (openai/openai-engine.ts). */
export interface OpenAiEngineSettings {
  id: 'openai';
  /** Base URL, e.g. `http://127.0.0.1:8000/v1`, without a trailing slash (HARK_ENGINE_URL). */
  url: string;
  /** Sent as `Authorization: Bearer …`; null: no header (HARK_ENGINE_API_KEY). */
  apiKey: string | null;
  /** The `model` field of each request (HARK_ENGINE_MODEL). */
  model: string;
  /** ISO 639-1 codes the server recognises, the first its default (HARK_ENGINE_LANGUAGES). */
  languages: string[];
  /** Requests in flight at once per process (HARK_ENGINE_CONCURRENCY). */
  concurrency: number;
  /** One attempt longer than this fails (HARK_ENGINE_TIMEOUT_MS). */
  timeoutMs: number;
  /** Attempts after a failed first one (HARK_ENGINE_RETRIES). */
  retries: number;
  /** Wait before the first retry, doubled each time (HARK_ENGINE_BACKOFF_MS). */
  backoffMs: number;
}


export interface SherpaOnnxSettings {
  id: 'sherpa-onnx';
  /** The model directory HARK_ENGINE_MODEL names, resolved and described (its hark-model.json). */
  model: SherpaModel;
}


export type EngineSettings = PocketSphinxSettings | OpenAiEngineSettings | SherpaOnnxSettings;

export type EngineId = EngineSettings['id'];

/** The names `HARK_ENGINE` accepts. */
export const ENGINE_IDS: readonly EngineId[] = ['pocketsphinx', 'openai', 'sherpa-onnx'];

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = { id: 'pocketsphinx' };
