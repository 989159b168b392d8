/**
 * Real recordings of different people that Debian packages ship, and
 * conversations and single-speaker recordings with known turns built from
 * them (the unit and end-to-end tests; the evaluation set built on these is
 * diarization-set.ts). Everything is resampled by ffmpeg to 16 kHz
 * mono, and deterministic (a fixed-seed generator picks turn lengths and
 * pauses), so every run scores the same audio.
 *
 * Voices:
 * - wideband (16 kHz and up): the LibriVox reader and the "cards" speaker of
 *   pocketsphinx-testdata (two men), the woman of alsa-utils' channel test;
 * - telephone (8 kHz GSM): the Asterisk prompt voices Allison (en-US),
 *   June (fr-CA), Carlo (it-IT) and the Russian IVR voice (three women, one man),
 *   and the prompts of July (es-CO), Armelle (fr) and Menardi (it), three women.
 *   Telephone conversations hold four voices of one channel type, so a
 *   diarizer cannot tell them apart by the recording chain alone;
 * - wideband, one word at a time: seven KTuberling volunteers (five men, two
 *   women), used only by the evaluation set's new-voices part.
 *
 * Within a conversation each recording is used once: a voice is never
 * recognised by hearing the very same samples again.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SAMPLE_RATE = 16_000;
const SAMPLES_PER_MS = SAMPLE_RATE / 1000;

const POCKETSPHINX_DATA = '/usr/share/pocketsphinx/test/data';
const ALSA_SOUNDS = '/usr/share/sounds/alsa';
const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds';
const KTUBERLING_SOUNDS = '/usr/share/ktuberling/sounds';

/** A labelled stretch of speech: who spoke from `startMs` to `endMs`. */
export interface SpeakerSegment {
  startMs: number;
  endMs: number;
  speaker: string;
}

export interface Recording {
  name: string;
  /** 16 kHz mono samples. */
  samples: Int16Array;
  /** Where each voice speaks: one segment per recording used, from its first to its last loud frame. */
  reference: SpeakerSegment[];
  /** Distinct voices in `reference`. */
  speakers: number;
}

/** A voice and its recordings, in a fixed order. */
interface Voice {
  name: string;
  clips: () => string[];
}

const sorted = (dir: string, filter: (name: string) => boolean) =>
  readdirSync(dir)
    .filter(filter)
    .sort()
    .map((name) => join(dir, name));

// GSM 6.10 is 1650 bytes a second: prompts of 1.2 to 6.8 s, no tones or beeps.
const asteriskClips = (dir: string) => () =>
  sorted(join(ASTERISK_SOUNDS, dir), (name) => {
    if (!name.endsWith('.gsm') || /tone|beep/.test(name)) return false;
    const size = statSync(join(ASTERISK_SOUNDS, dir, name)).size;
    return size > 2000 && size < 11_200;
  });

// ktuberling-data: one volunteer per language says the toy's words (0.4–1.2 s
// each, 44.1 kHz or 48 kHz, each on their own microphone). Only languages
// whose words are one person's: one voice by x-vector clustering of all of
// them and a narrow pitch range (F0 median, 10th–90th percentile, in Hz).
const ktuberlingClips = (language: string) => () => sorted(join(KTUBERLING_SOUNDS, language), (n) => /\.(ogg|opus|wav)$/.test(n));

export const VOICES = {
  librivox: { name: 'librivox', clips: () => sorted(join(POCKETSPHINX_DATA, 'librivox'), (n) => n.endsWith('.wav')) },
  cards: { name: 'cards', clips: () => sorted(join(POCKETSPHINX_DATA, 'cards'), (n) => n.endsWith('.wav')) },
  alsa: { name: 'alsa', clips: () => sorted(ALSA_SOUNDS, (n) => n.endsWith('.wav') && n !== 'Noise.wav') },
  allison: { name: 'allison', clips: asteriskClips('en_US_f_Allison') },
  june: { name: 'june', clips: asteriskClips('fr_CA_f_June') },
  carlo: { name: 'carlo', clips: asteriskClips('it_IT_m_Carlo') },
  russian: { name: 'russian', clips: asteriskClips('ru_RU_f_IvrvoiceRU') },
  // asterisk-prompt-es-co: July E. Jiménez (woman, Colombian Spanish).
  july: { name: 'july', clips: asteriskClips('es') },
  // asterisk-prompt-fr-armelle: Armelle Desjardins (woman, French).
  armelle: { name: 'armelle', clips: asteriskClips('fr') },
  // asterisk-prompt-it-menardi: the Menardi prompts (woman, Italian).
  menardi: { name: 'menardi', clips: asteriskClips('it_IT_f_Menardi') },
  // German, man: 155 (137–180).
  german: { name: 'german', clips: ktuberlingClips('de') },
  // Greek, man: 154 (143–172).
  greek: { name: 'greek', clips: ktuberlingClips('el') },
  // Galician, woman: 320 (281–400).
  galician: { name: 'galician', clips: ktuberlingClips('gl') },
  // Lithuanian, man: 158 (133–195).
  lithuanian: { name: 'lithuanian', clips: ktuberlingClips('lt') },
  // Slovenian, man: 160 (134–178).
  slovenian: { name: 'slovenian', clips: ktuberlingClips('sl') },
  // Walloon, man: 130 (119–150).
  walloon: { name: 'walloon', clips: ktuberlingClips('wa') },
  // Norwegian Nynorsk, woman: 195 (178–219).
  nynorsk: { name: 'nynorsk', clips: ktuberlingClips('nn') },
} satisfies Record<string, Voice>;

export type VoiceName = keyof typeof VOICES;

const decoded = new Map<string, Int16Array>();

/** A recording as 16 kHz mono samples (decoded once per process). */
export function decodeClip(path: string): Int16Array {
  let samples = decoded.get(path);
  if (!samples) {
    const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-'], {
      maxBuffer: 1 << 28,
    });
    samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1).slice();
    decoded.set(path, samples);
  }
  return samples;
}

/**
 * Where a clip's speech starts and ends: the first and last 10 ms frame
 * within 35 dB of its loudest frame. Recordings carry silence at both ends,
 * which is not speech of anybody.
 */
export function speechExtent(samples: Int16Array): { startMs: number; endMs: number } {
  const frame = 10 * SAMPLES_PER_MS;
  const energies: number[] = [];
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += samples[j]! * samples[j]!;
    energies.push(10 * Math.log10(sum / frame + 1));
  }
  const threshold = Math.max(...energies) - 35;
  const first = energies.findIndex((e) => e >= threshold);
  let last = energies.length - 1;
  while (last > first && energies[last]! < threshold) last--;
  return { startMs: first * 10, endMs: (last + 1) * 10 };
}

/** Park–Miller generator: the same turns on every run. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

class RecordingBuilder {
  private readonly parts: Int16Array[] = [];
  private lengthMs = 0;
  readonly reference: SpeakerSegment[] = [];

  silence(ms: number): void {
    this.parts.push(new Int16Array(Math.round(ms) * SAMPLES_PER_MS));
    this.lengthMs += Math.round(ms);
  }

  clip(samples: Int16Array, speaker: string): number {
    const extent = speechExtent(samples);
    const at = Math.round(this.lengthMs);
    this.reference.push({ startMs: at + extent.startMs, endMs: at + extent.endMs, speaker });
    this.parts.push(samples);
    const ms = samples.length / SAMPLES_PER_MS;
    this.lengthMs += ms;
    return extent.endMs - extent.startMs;
  }

  build(name: string): Recording {
    const samples = new Int16Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of this.parts) {
      samples.set(part, at);
      at += part.length;
    }
    const reference = this.reference;
    return { name, samples, reference, speakers: new Set(reference.map((s) => s.speaker)).size };
  }
}

export interface ConversationSpec {
  name: string;
  voices: VoiceName[];
  /** Speech per voice, at most (wideband voices have less in all). */
  perVoiceMs: number;
  /** Recordings to skip, for voices with hundreds (so conversations differ). */
  firstClip?: number;
  seed: number;
  /** Speech per turn, at least and at most; default 1–10 s. */
  turnMs?: [number, number];
  /** Pause between turns; default 0.1–1.2 s. */
  pauseMs?: [number, number];
}

/**
 * A conversation: turns of 1–10 s of speech in random order (never the same
 * voice twice in a row), separated by pauses of 0.1–1.2 s. Pauses under
 * half a second are common in conversation and do not end an utterance for
 * the voice activity detector, so some speaker changes fall inside one.
 */
export function conversation(spec: ConversationSpec): Recording {
  const rand = random(spec.seed);
  const [minTurnMs, maxTurnMs] = spec.turnMs ?? [1000, 10_000];
  const [minPauseMs, maxPauseMs] = spec.pauseMs ?? [100, 1200];
  const queues = new Map(
    spec.voices.map((v) => {
      const all = VOICES[v].clips();
      // Only voices with hundreds of recordings skip some.
      const clips = all.length > (spec.firstClip ?? 0) * 2 ? all.slice(spec.firstClip) : all;
      return [v, { clips, next: 0, spokenMs: 0 }];
    }),
  );
  const builder = new RecordingBuilder();
  let previous: VoiceName | null = null;
  for (;;) {
    const candidates = spec.voices.filter((v) => {
      const q = queues.get(v)!;
      return v !== previous && q.next < q.clips.length && q.spokenMs < spec.perVoiceMs;
    });
    if (candidates.length === 0) break;
    const voice = candidates[Math.floor(rand() * candidates.length)]!;
    const queue = queues.get(voice)!;
    const targetMs = minTurnMs + rand() * (maxTurnMs - minTurnMs);
    let turnMs = 0;
    if (previous !== null) builder.silence(minPauseMs + rand() * (maxPauseMs - minPauseMs));
    while (queue.next < queue.clips.length && turnMs < targetMs) {
      const samples = decodeClip(queue.clips[queue.next]!);
      const { startMs, endMs } = speechExtent(samples);
      // A clip that would stretch the turn beyond its maximum starts the next turn instead.
      if (turnMs > 0 && turnMs + (endMs - startMs) > maxTurnMs) break;
      if (turnMs > 0) builder.silence(100 + rand() * 200);
      turnMs += builder.clip(samples, voice);
      queue.spokenMs += endMs - startMs;
      queue.next++;
    }
    previous = voice;
  }
  return builder.build(spec.name);
}

/** One voice's recordings one after the other, with pauses of 0.2–0.6 s. */
export function monologue(name: string, voice: VoiceName, maxMs: number, seed = 1): Recording {
  const rand = random(seed);
  const builder = new RecordingBuilder();
  let spokenMs = 0;
  for (const clip of VOICES[voice].clips()) {
    if (spokenMs >= maxMs) break;
    if (spokenMs > 0) builder.silence(200 + rand() * 400);
    spokenMs += builder.clip(decodeClip(clip), voice);
  }
  return builder.build(name);
}
