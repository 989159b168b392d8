/**
 * Pronunciations, in the en-us phone set, for context words that the
 * engine's dictionary lacks: espeak-ng's (Debian package espeak-ng), or the
 * letter-to-sound rules when espeak-ng is not installed.
 */
import { spawnSync } from 'node:child_process';
import { ipaToArpabet } from './ipa-to-arpabet.js';
import { letterToSound } from './letter-to-sound.js';

/** espeak-ng takes about 0.4 ms a word; this bounds a runaway call. */
const ESPEAK_TIMEOUT_MS = 10_000;

let espeakMissing = false;

/**
 * One pronunciation per written word, in order. Synchronous: it runs where
 * a decoder is being prepared, in a recognition worker, never on the
 * server's event loop. espeak-ng is run once for all the words.
 *
 * @example pronounce(['Celebrex']) // [['S', 'EH', 'L', 'IH', 'B', 'R', 'EH', 'K', 'S']]
 */
export function pronounce(words: readonly string[]): string[][] {
  if (words.length === 0) return [];
  const ipa = espeakIpa(words);
  return words.map((word, i) => {
    const phones = ipa ? ipaToArpabet(ipa[i]!) : [];
    return phones.length > 0 ? phones : letterToSound(word);
  });
}

/** espeak-ng's IPA for each word, or null when it is not installed or its output cannot be paired with the words. */
function espeakIpa(words: readonly string[]): string[] | null {
  if (espeakMissing) return null;
  // One word per line gives one line of output per word; the case of the
  // written word matters ("HbA1c" is spelled out, "Zyrtec" is read).
  const result = spawnSync('espeak-ng', ['-q', '--ipa', '-v', 'en-us'], {
    input: words.join('\n'),
    encoding: 'utf8',
    timeout: ESPEAK_TIMEOUT_MS,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    espeakMissing = true;
    return null;
  }
  if (result.error || result.status !== 0) return null;
  const lines = result.stdout.split('\n').map((line) => line.trim());
  while (lines.length > words.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length === words.length ? lines : null;
}
