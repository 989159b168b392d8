/**
 * The diarization evaluation set: conversations built from real recordings
 * of ten people that Debian packages ship (conversations.ts), under the
 * conditions that make meetings and calls hard:
 *
 * - turns of 1–3 s or 3–8 s, cut straight together (no pause at a change of
 *   speaker) or with natural pauses of 0.2–1 s;
 * - the same speakers meeting again and again (turns alternate among them
 *   for the whole recording);
 * - even levels, or ±10 dB between speakers and within each speaker's turns;
 * - one speaker on a telephone line: room noise at 15 dB SNR, then the
 *   300–3400 Hz band at 8 kHz, µ-law coded (ffmpeg), back to 16 kHz;
 * - one to five speakers, many pairs of the same sex.
 *
 * Two parts that share no audio: the tuning part (even-numbered recordings
 * of every voice) and the held-apart part (odd-numbered ones), with other
 * voice combinations and seeds. Settings are tuned on the first only. A
 * third, the new-voices part, is held apart too: seven voices that neither
 * other part has (all their recordings), added after every setting was chosen.
 */
import { execFileSync } from 'node:child_process';
import { type Recording, SAMPLE_RATE, type SpeakerSegment, VOICES, type VoiceName, decodeClip, random, speechExtent } from './conversations.js';

const SAMPLES_PER_MS = SAMPLE_RATE / 1000;

export type TurnLength = 'short' | 'long';
export type Pauses = 'none' | 'natural';
export type Levels = 'even' | 'uneven';
export type Channel = 'clean' | 'telephone';

export interface Conditions {
  turns: TurnLength;
  pauses: Pauses;
  levels: Levels;
  channel: Channel;
}

export interface EvaluationRecording extends Recording {
  conditions: Conditions;
}

export type Part = 'tuning' | 'held-apart' | 'new-voices';

const TURN_MS: Record<TurnLength, [number, number]> = { short: [1000, 3000], long: [3000, 8000] };
const PAUSE_MS: Record<Pauses, [number, number]> = { none: [0, 0], natural: [200, 1000] };
const SPEAKER_GAIN_DB = 10;
const TURN_GAIN_DB = 5;
const ROOM_NOISE_SNR_DB = 15;
/** Audio kept around a clip's speech: its onset and decay. */
const CLIP_MARGIN_MS = 20;

/** FNV-1a of a string, as a generator seed. */
function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return (h % 2147483646) + 1;
}

/** A clip's speech, with {@link CLIP_MARGIN_MS} either side, as floats. */
function trimmed(samples: Int16Array): Float32Array {
  const { startMs, endMs } = speechExtent(samples);
  const from = Math.max(0, (startMs - CLIP_MARGIN_MS) * SAMPLES_PER_MS);
  const to = Math.min(samples.length, (endMs + CLIP_MARGIN_MS) * SAMPLES_PER_MS);
  return Float32Array.from(samples.subarray(from, to));
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((n, v) => n + v * v, 0) / Math.max(1, x.length));

const telephoned = new Map<string, Float32Array>();

/**
 * A clip as heard over a telephone from a room: low-frequency-heavy noise
 * (a leaky integral of white noise) at {@link ROOM_NOISE_SNR_DB}, then
 * ffmpeg's band-pass to 300–3400 Hz, 8 kHz µ-law and back to 16 kHz.
 */
function telephone(path: string): Float32Array {
  let out = telephoned.get(path);
  if (out) return out;
  const speech = trimmed(decodeClip(path));
  const rand = random(seedOf(path));
  const noise = new Float32Array(speech.length);
  let level = 0;
  for (let i = 0; i < noise.length; i++) {
    level = 0.97 * level + (rand() - 0.5);
    noise[i] = level;
  }
  const scale = rms(speech) / rms(noise) / 10 ** (ROOM_NOISE_SNR_DB / 20);
  const mixed = new Int16Array(speech.length);
  for (let i = 0; i < mixed.length; i++) mixed[i] = Math.max(-32768, Math.min(32767, Math.round(speech[i]! + scale * noise[i]!)));
  const mulaw = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', '-', '-af', 'highpass=f=300,lowpass=f=3400', '-ar', '8000', '-c:a', 'pcm_mulaw', '-f', 'mulaw', '-'],
    { input: Buffer.from(mixed.buffer, mixed.byteOffset, mixed.byteLength), maxBuffer: 1 << 28 },
  );
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-f', 'mulaw', '-ar', '8000', '-ac', '1', '-i', '-', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-'], {
    input: mulaw,
    maxBuffer: 1 << 28,
  });
  const decoded = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
  out = Float32Array.from(decoded.subarray(0, speech.length));
  telephoned.set(path, out);
  return out;
}

export interface RecordingSpec {
  voices: VoiceName[];
  conditions: Conditions;
  /** Speech per voice, at most. */
  perVoiceMs: number;
  seed: number;
  part: Part;
}

/**
 * A conversation under `spec.conditions`: turns in random order (never the
 * same voice twice in a row) until every voice has said `perVoiceMs` or run
 * out of recordings; with `telephone`, the first voice is on the phone.
 */
export function buildRecording(spec: RecordingSpec): EvaluationRecording {
  const { conditions } = spec;
  const rand = random(spec.seed);
  const [minTurnMs, maxTurnMs] = TURN_MS[conditions.turns];
  const [minPauseMs, maxPauseMs] = PAUSE_MS[conditions.pauses];
  // The first two parts share the ten voices, one taking every other recording; the third has its own voices.
  const keep = (k: number) => spec.part === 'new-voices' || k % 2 === (spec.part === 'tuning' ? 0 : 1);
  const uneven = conditions.levels === 'uneven';
  const queues = spec.voices.map((voice, i) => ({
    voice,
    clips: VOICES[voice].clips().filter((_, k) => keep(k)),
    // Different recordings of a voice in different conversations, where it has many.
    next: 0,
    spokenMs: 0,
    gainDb: uneven ? (i % 2 === 0 ? -1 : 1) * SPEAKER_GAIN_DB * (0.5 + rand() / 2) : 0,
    onPhone: conditions.channel === 'telephone' && i === 0,
  }));
  for (const q of queues) if (q.clips.length > 60) q.next = Math.floor(rand() * (q.clips.length - 60));
  const parts: Float32Array[] = [];
  const reference: SpeakerSegment[] = [];
  let atMs = 0;
  const silence = (ms: number) => {
    const samples = Math.round(ms) * SAMPLES_PER_MS;
    if (samples > 0) parts.push(new Float32Array(samples));
    atMs += Math.round(ms);
  };
  let previous = -1;
  for (;;) {
    const candidates = [...queues.keys()].filter((i) => (i !== previous || queues.length === 1) && queues[i]!.next < queues[i]!.clips.length && queues[i]!.spokenMs < spec.perVoiceMs);
    if (candidates.length === 0) break;
    const index = candidates[Math.floor(rand() * candidates.length)]!;
    const queue = queues[index]!;
    const targetMs = minTurnMs + rand() * (maxTurnMs - minTurnMs);
    const gain = 10 ** ((queue.gainDb + (uneven ? (rand() * 2 - 1) * TURN_GAIN_DB : 0)) / 20);
    if (previous >= 0) silence(minPauseMs + rand() * (maxPauseMs - minPauseMs));
    let turnMs = 0;
    while (queue.next < queue.clips.length && turnMs < targetMs) {
      const path = queue.clips[queue.next]!;
      const clip = queue.onPhone ? telephone(path) : trimmed(decodeClip(path));
      const ms = Math.floor(clip.length / SAMPLES_PER_MS);
      // A clip that would stretch the turn beyond its maximum starts the next turn instead.
      if (turnMs > 0 && turnMs + ms > maxTurnMs) break;
      if (turnMs > 0) silence(50 + rand() * 150);
      parts.push(clip.map((v) => v * gain));
      reference.push({ startMs: atMs + CLIP_MARGIN_MS, endMs: atMs + ms - CLIP_MARGIN_MS, speaker: queue.voice });
      atMs += ms;
      // A 16 kHz sample count that is not a whole number of ms: keep the timeline in whole ms.
      parts[parts.length - 1] = parts[parts.length - 1]!.subarray(0, ms * SAMPLES_PER_MS);
      turnMs += ms;
      queue.spokenMs += ms;
      queue.next++;
    }
    previous = index;
  }
  const length = parts.reduce((n, p) => n + p.length, 0);
  const mixed = new Float32Array(length);
  let at = 0;
  for (const p of parts) {
    mixed.set(p, at);
    at += p.length;
  }
  // Louder turns may exceed full scale: the whole recording is scaled down, keeping the level differences.
  const peak = mixed.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const scale = peak > 30_000 ? 30_000 / peak : 1;
  const samples = Int16Array.from(mixed, (v) => Math.round(v * scale));
  const name = `${spec.voices.join(' + ')} (${conditions.turns} turns, ${conditions.pauses === 'none' ? 'no pauses' : 'pauses'}, ${conditions.levels} levels, ${conditions.channel})`;
  return { name, samples, reference, speakers: new Set(reference.map((s) => s.speaker)).size, conditions };
}

// Voice combinations: many of the same sex (men: librivox, cards, carlo;
// the others are women), and each part with its own.
const COMBINATIONS: Record<Part, VoiceName[][]> = {
  tuning: [
    ['librivox'],
    ['allison'],
    ['carlo'],
    ['librivox', 'cards'],
    ['allison', 'june'],
    ['carlo', 'armelle'],
    ['russian', 'july'],
    ['alsa', 'carlo'],
    ['menardi', 'allison'],
    ['librivox', 'armelle'],
    ['june', 'menardi'],
    ['librivox', 'allison', 'june'],
    ['carlo', 'july', 'menardi'],
    ['cards', 'armelle', 'russian'],
    ['alsa', 'june', 'carlo'],
    ['allison', 'june', 'carlo', 'russian'],
    ['librivox', 'cards', 'july', 'armelle'],
    ['menardi', 'carlo', 'alsa', 'june'],
    ['allison', 'june', 'carlo', 'russian', 'july'],
    ['librivox', 'cards', 'alsa', 'armelle', 'menardi'],
    // Twenty more, so that thresholds are not chosen on a few recordings:
    // other pairings, monologues of the other voices, and more of the women
    // on the same telephone chain, who are the hardest to tell apart.
    ['june'],
    ['menardi'],
    ['july'],
    ['russian'],
    ['armelle', 'july'],
    ['allison', 'russian'],
    ['june', 'armelle'],
    ['cards', 'alsa'],
    ['menardi', 'russian'],
    ['librivox', 'july'],
    ['carlo', 'june'],
    ['alsa', 'menardi'],
    ['allison', 'armelle', 'russian'],
    ['cards', 'carlo', 'june'],
    ['july', 'menardi', 'alsa'],
    ['librivox', 'carlo', 'armelle'],
    ['russian', 'july', 'armelle', 'menardi'],
    ['librivox', 'cards', 'carlo', 'allison'],
    ['june', 'armelle', 'menardi', 'russian', 'alsa'],
    ['cards', 'carlo', 'july', 'allison', 'june'],
  ],
  'held-apart': [
    ['armelle'],
    ['july'],
    ['russian'],
    ['cards', 'carlo'],
    ['armelle', 'russian'],
    ['librivox', 'july'],
    ['allison', 'alsa'],
    ['carlo', 'menardi'],
    ['june', 'july'],
    ['librivox', 'carlo'],
    ['armelle', 'allison'],
    ['librivox', 'cards', 'russian'],
    ['allison', 'armelle', 'carlo'],
    ['july', 'menardi', 'june'],
    ['alsa', 'librivox', 'armelle'],
    ['armelle', 'july', 'carlo', 'allison'],
    ['librivox', 'russian', 'menardi', 'cards'],
    ['june', 'alsa', 'carlo', 'july'],
    ['armelle', 'menardi', 'carlo', 'russian', 'cards'],
    ['librivox', 'allison', 'july', 'june', 'carlo'],
  ],
  // Five men (german, greek, lithuanian, slovenian, walloon) and two women.
  'new-voices': [
    ['lithuanian'],
    ['nynorsk'],
    ['german', 'greek'],
    ['slovenian', 'walloon'],
    ['galician', 'nynorsk'],
    ['lithuanian', 'slovenian'],
    ['greek', 'galician'],
    ['german', 'lithuanian', 'nynorsk'],
    ['walloon', 'greek', 'slovenian'],
    ['lithuanian', 'german', 'galician', 'walloon'],
    ['slovenian', 'greek', 'nynorsk', 'german', 'lithuanian'],
    ['walloon', 'galician', 'lithuanian', 'greek', 'german'],
  ],
};

/**
 * The conditions of the i-th recording of a part: every combination of turn
 * length, pauses, levels and channel comes up, spread over the numbers of speakers.
 */
function conditionsOf(i: number): Conditions {
  const code = (i * 5) % 16;
  return {
    turns: code & 1 ? 'long' : 'short',
    pauses: code & 2 ? 'natural' : 'none',
    levels: code & 4 ? 'uneven' : 'even',
    channel: code & 8 ? 'telephone' : 'clean',
  };
}

/** One part of the evaluation set (deterministic: the same audio on every run). */
export function evaluationPart(part: Part): EvaluationRecording[] {
  return COMBINATIONS[part].map((voices, i) =>
    buildRecording({
      voices,
      conditions: conditionsOf(i),
      perVoiceMs: voices.length === 1 ? 40_000 : voices.length <= 3 ? 25_000 : 18_000,
      seed: seedOf(`${part} ${i}`),
      part,
    }),
  );
}
