/** One utterance as the WAV file an OpenAI-style server takes: 16 kHz mono s16le PCM. */
import { ENGINE_SAMPLE_RATE } from '../speech-engine.js';

const HEADER_BYTES = 44;

/**
 * @example encodeWav(new Int16Array(16_000)).byteLength // 32_044: one second
 */
export function encodeWav(samples: Int16Array): Uint8Array {
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, ENGINE_SAMPLE_RATE, true);
  view.setUint32(28, ENGINE_SAMPLE_RATE * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(HEADER_BYTES + i * 2, samples[i]!, true);
  return out;
}
