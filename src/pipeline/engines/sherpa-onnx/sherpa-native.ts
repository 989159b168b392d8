/**
 * The parts of sherpa-onnx-node (a CommonJS package without type
 * declarations) that Hark calls, typed. Loading it loads the native runtime
 * (libsherpa-onnx-c-api.so, libonnxruntime.so) shipped in the npm package.
 */
import { createRequire } from 'node:module';
import type { SherpaResult } from './sherpa-results.js';

export interface Waveform {
  samples: Float32Array;
  sampleRate: number;
}

export interface OnlineStream {
  acceptWaveform(wave: Waveform): void;
  inputFinished(): void;
}

export interface OnlineRecognizer {
  createStream(): OnlineStream;
  isReady(stream: OnlineStream): boolean;
  decode(stream: OnlineStream): void;
  isEndpoint(stream: OnlineStream): boolean;
  reset(stream: OnlineStream): void;
  getResult(stream: OnlineStream): SherpaResult & { text: string };
}

export interface OfflineStream {
  acceptWaveform(wave: Waveform): void;
}

export interface OfflineRecognizer {
  /** `hotwords`: phrases to boost in this stream, separated by `/` (transducers under modified beam search). */
  createStream(hotwords?: string): OfflineStream;
  /** Replaces the configuration the next decode uses (Whisper's language and task; not every family reads it). */
  setConfig(config: Record<string, unknown>): void;
  decode(stream: OfflineStream): void;
  getResult(stream: OfflineStream): SherpaResult & { text: string };
}

interface SherpaModule {
  OnlineRecognizer: new (config: Record<string, unknown>) => OnlineRecognizer;
  OfflineRecognizer: new (config: Record<string, unknown>) => OfflineRecognizer;
}

let loaded: SherpaModule | null = null;

/** @throws {Error} the package or its native runtime cannot be loaded. */
export function sherpaOnnx(): SherpaModule {
  loaded ??= createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
  return loaded;
}

/** 16-bit PCM as the float samples in [-1, 1) sherpa reads. */
export function toWaveform(samples: Int16Array): Waveform {
  const floats = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) floats[i] = samples[i]! / 32768;
  return { samples: floats, sampleRate: 16_000 };
}
