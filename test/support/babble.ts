/**
 * Real babble noise and speech-in-noise mixes for judging voice activity
 * detection: the LibriVox sentences (librivox.ts) over a crowd of other
 * real talkers from pocketsphinx-testdata (none of them the LibriVox
 * reader), at a chosen signal-to-noise ratio.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { speechPcm } from './speech-audio.js';
import { librivoxUtterances } from './librivox.js';

const DATA_DIR = '/usr/share/pocketsphinx/test/data';

/**
 * Nine recordings of other speakers (16 kHz mono s16le): card names,
 * digits, commands. Babble is made of these only, never of the LibriVox reader.
 */
const BABBLE_SOURCES = [
  ...Array.from({ length: 5 }, (_, i) => `cards/00${i + 1}.wav`),
  'goforward.raw',
  'numbers.raw',
  'something.raw',
  'tidigits/dhd.2934z.raw',
];

/** Talkers summed into the babble; each one says the sources in its own order. */
export const BABBLE_TALKERS = 8;

function sourceSamples(name: string): Int16Array {
  const file = readFileSync(join(DATA_DIR, name));
  const body = name.endsWith('.wav') ? file.subarray(44) : file;
  return new Int16Array(body.buffer.slice(body.byteOffset, body.byteOffset + (body.length & ~1)));
}

function power(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
  return sum / Math.max(1, to - from);
}

/**
 * `length` samples of babble: {@link BABBLE_TALKERS} talkers, each the
 * sources at equal loudness back to back, in a rotated order, starting at a
 * different place; `seed` shifts every talker (another stretch of the crowd).
 */
export function babble(length: number, seed = 0): Float32Array {
  const sources = BABBLE_SOURCES.map((name) => {
    const samples = sourceSamples(name);
    const gain = 1 / Math.sqrt(power(samples));
    return Float32Array.from(samples, (s) => s * gain);
  });
  const out = new Float32Array(length);
  for (let talker = 0; talker < BABBLE_TALKERS; talker++) {
    const order = sources.map((_, i) => sources[(i * 5 + talker * 3) % sources.length]!);
    const stream = order.reduce((total, s) => total + s.length, 0);
    let position = Math.floor(((talker * 0.37 + seed * 7.3) * 16_000) % stream);
    let source = 0;
    while (position >= order[source]!.length) position -= order[source++]!.length;
    for (let i = 0; i < length; i++) {
      out[i]! += order[source]![position]!;
      if (++position === order[source]!.length) {
        position = 0;
        source = (source + 1) % order.length;
      }
    }
  }
  return out;
}

/** A sentence's place in a mix. */
export interface MixedSentence {
  reference: string;
  /** The sentence's recording, silence at its edges included. */
  fromMs: number;
  toMs: number;
}

export interface SpeechMix {
  samples: Int16Array;
  sentences: MixedSentence[];
  /** Null: clean speech. */
  snrDb: number | null;
}

/** Silence between the sentences of a mix: the pause of speech-audio.ts. */
export const MIX_PAUSE_MS = 1200;

/**
 * The five LibriVox sentences, each followed by {@link MIX_PAUSE_MS} of
 * silence, with babble added at `snrDb` (speech power over the sentence
 * recordings against babble power over the whole mix); null: clean.
 */
export function speechMix(snrDb: number | null, seed = 0): SpeechMix {
  const pcm = speechPcm([0, 1, 2, 3, 4], MIX_PAUSE_MS);
  const speech = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
  const sentences: MixedSentence[] = [];
  let at = 0;
  let speechPower = 0;
  for (const u of librivoxUtterances()) {
    const length = (readFileSync(u.wavPath).length - 44) / 2;
    speechPower += power(speech, at, at + length) * length;
    sentences.push({ reference: u.reference, fromMs: at / 16, toMs: (at + length) / 16 });
    at += length + MIX_PAUSE_MS * 16;
  }
  speechPower /= sentences.reduce((total, s) => total + (s.toMs - s.fromMs) * 16, 0);
  if (snrDb === null) return { samples: speech, sentences, snrDb };
  const noise = babble(speech.length, seed);
  const gain = Math.sqrt(speechPower / (power(noise) * 10 ** (snrDb / 10)));
  const samples = Int16Array.from(speech, (s, i) => Math.max(-32768, Math.min(32767, Math.round(s + noise[i]! * gain))));
  return { samples, sentences, snrDb };
}
