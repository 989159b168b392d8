/**
 * The LibriVox recordings shipped in Debian's pocketsphinx-testdata: five
 * read English sentences (16 kHz mono wav) with reference transcripts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIBRIVOX_DIR = '/usr/share/pocketsphinx/test/data/librivox';

export interface LibrivoxUtterance {
  /** e.g. sense_and_sensibility_01_austen_64kb-0870 */
  id: string;
  wavPath: string;
  /** Lower-case reference words, without the <s> </s> markers. */
  reference: string;
}

/**
 * The utterances in the order of the `transcription` file, whose lines read
 * `<s> words </s> (id)`.
 *
 * @throws when pocketsphinx-testdata is not installed.
 */
export function librivoxUtterances(): LibrivoxUtterance[] {
  const lines = readFileSync(join(LIBRIVOX_DIR, 'transcription'), 'utf8').split('\n');
  return lines
    .map((line) => /^(.*)\(([^()]+)\)\s*$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map(([, text, id]) => ({
      id: id!,
      wavPath: join(LIBRIVOX_DIR, `${id}.wav`),
      reference: text!.replace(/<\/?s>/g, ' ').replace(/\s+/g, ' ').trim(),
    }));
}
