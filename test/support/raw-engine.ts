/**
 * The baseline for accuracy and speed: Debian's own `pocketsphinx_continuous`
 * (package `pocketsphinx`) run on a wav file with the same model files as
 * Hark and otherwise default settings.
 */
import { execFile } from 'node:child_process';
import { DEFAULT_POCKETSPHINX_MODEL } from '../../src/pipeline/engines/pocketsphinx/model.js';

/**
 * The hypothesis text of the raw engine for a 16 kHz mono wav file: its
 * utterance lines joined by spaces.
 *
 * @throws when the CLI is missing or fails.
 * @example await rawEngineTranscribe('/usr/share/pocketsphinx/test/data/librivox/…-0880.wav')
 * // 'he was not an illness those young man'
 */
export function rawEngineTranscribe(wavPath: string): Promise<string> {
  const { hmm, lm, dict } = DEFAULT_POCKETSPHINX_MODEL;
  const args = ['-infile', wavPath, '-hmm', hmm, '-lm', lm, '-dict', dict, '-logfn', '/dev/null'];
  return new Promise((resolve, reject) => {
    execFile('pocketsphinx_continuous', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(new Error(`pocketsphinx_continuous failed on ${wavPath}: ${err.message}`, { cause: err }));
      else resolve(stdout.split('\n').map((line) => line.trim()).filter(Boolean).join(' '));
    });
  });
}
