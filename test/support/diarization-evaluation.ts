/**
 * Runs the diarizers over recordings with known turns and scores them: DER
 * (250 ms collar), the share of words given to the right speaker, and
 * whether the number of speakers was found. Shared by the evaluation test
 * and `npm run bench:diarization`.
 *
 * Both diarizers get what they get in the server: the batch one, the
 * utterances of the voice activity segmenter; the live one, the audio in
 * 120 ms chunks and, at the end of each utterance, its words as final. The
 * words here are the utterance cut in 300 ms pieces (the diarizer uses only
 * their timings), so the evaluation needs no speech recognition.
 *
 * Words are scored as a transcript's would be: the reference speech cut in
 * 300 ms words, each taking the hypothesis speaker that overlaps it most
 * (assign-speakers.ts, as the server does), counted right when that speaker
 * maps to the word's voice under the one-to-one mapping that gets the most
 * words right.
 */
import { type DiarizationErrors, diarizationErrorRate } from '../../src/lib/diarization-error-rate.js';
import { speakersOfWords } from '../../src/pipeline/diarization/assign-speakers.js';
import type { SpeakerTurn, TimedWord } from '../../src/pipeline/diarization/diarizer.js';
import { OnlineDiarizer, type OnlineDiarizerOptions } from '../../src/pipeline/diarization/online-diarizer.js';
import { speakerNetwork } from '../../src/pipeline/diarization/speaker-model.js';
import { BicDiarizer, type BicDiarizerOptions } from '../../src/pipeline/diarization/bic-diarizer.js';
import { type Utterance, splitUtterances } from '../../src/pipeline/segmentation/utterance-splitter.js';
import type { Recording } from './conversations.js';
import type { EvaluationRecording } from './diarization-set.js';

export const COLLAR_MS = 250;
const CHUNK_SAMPLES = 1920;
const PSEUDO_WORD_MS = 300;

export type DiarizerKind = 'batch' | 'live';

export interface RecordingScore {
  name: string;
  audioMs: number;
  speakers: number;
  found: number;
  errors: DiarizationErrors;
  /** Reference words, and how many went to the right speaker. */
  words: number;
  wordsRight: number;
  /** Wall time spent in the diarizer (feature extraction included). */
  diarizerMs: number;
}

export async function utterancesOf(samples: Int16Array): Promise<Utterance[]> {
  async function* audio() {
    yield samples;
  }
  const out: Utterance[] = [];
  for await (const u of splitUtterances(audio())) out.push(u);
  return out;
}

function pseudoWords(u: Utterance): TimedWord[] {
  const endMs = u.offsetMs + u.samples.length / 16;
  const words: TimedWord[] = [];
  for (let t = u.offsetMs; t < endMs; t += PSEUDO_WORD_MS) words.push({ startMs: t, endMs: Math.min(t + PSEUDO_WORD_MS, endMs) });
  return words;
}

/** The utterances of `samples`, each ending at `endSample`, as 300 ms pseudo-words (what a live diarizer is asked to label). */
export async function pseudoWordUtterances(samples: Int16Array): Promise<{ endSample: number; words: TimedWord[] }[]> {
  return (await utterancesOf(samples)).map((u) => ({ endSample: u.offsetMs * 16 + u.samples.length, words: pseudoWords(u) }));
}

/** The reference speech cut in words of {@link PSEUDO_WORD_MS}, with their voices. */
function referenceWords(recording: Recording): (TimedWord & { speaker: string })[] {
  const words = [];
  for (const s of recording.reference) {
    for (let t = s.startMs; t < s.endMs; t += PSEUDO_WORD_MS) words.push({ startMs: t, endMs: Math.min(t + PSEUDO_WORD_MS, s.endMs), speaker: s.speaker });
  }
  return words;
}

/** Words right under the best one-to-one mapping of hypothesis speakers to voices (dynamic programming over subsets of voices). */
function wordsRight(truth: readonly string[], labels: readonly string[]): number {
  const voices = [...new Set(truth)];
  const counts = new Map<string, number[]>();
  truth.forEach((voice, i) => {
    const row = counts.get(labels[i]!) ?? new Array<number>(voices.length).fill(0);
    row[voices.indexOf(voice)]!++;
    counts.set(labels[i]!, row);
  });
  let best = new Float64Array(1 << voices.length).fill(-Infinity);
  best[0] = 0;
  for (const row of counts.values()) {
    const next = Float64Array.from(best);
    for (let used = 0; used < best.length; used++) {
      if (best[used] === -Infinity) continue;
      row.forEach((n, v) => {
        if (!(used & (1 << v))) next[used | (1 << v)] = Math.max(next[used | (1 << v)]!, best[used]! + n);
      });
    }
    best = next;
  }
  return Math.max(...best);
}

/** Settings other than the defaults, for tuning sweeps. */
export interface DiarizerSettings {
  batch?: Partial<BicDiarizerOptions>;
  live?: Partial<OnlineDiarizerOptions>;
}

function runBatch(utterances: Utterance[], options: Partial<BicDiarizerOptions> = {}): SpeakerTurn[] {
  const diarizer = new BicDiarizer(options, speakerNetwork());
  for (const u of utterances) diarizer.addSpeech(u.samples, u.offsetMs);
  return diarizer.finish();
}

function runLive(samples: Int16Array, utterances: Utterance[], options: Partial<OnlineDiarizerOptions> = {}): SpeakerTurn[] {
  const diarizer = new OnlineDiarizer(options, speakerNetwork());
  const labelled: SpeakerTurn[] = [];
  let pushed = 0;
  for (const u of utterances) {
    const end = u.offsetMs * 16 + u.samples.length;
    for (; pushed < end; pushed += CHUNK_SAMPLES) diarizer.push(samples.subarray(pushed, Math.min(pushed + CHUNK_SAMPLES, end)));
    pushed = end;
    const words = pseudoWords(u);
    const speakers = diarizer.labelFinal(words);
    words.forEach((w, i) => labelled.push({ ...w, speaker: speakers[i]! }));
  }
  return labelled;
}

/** Diarizes `recording` with the chosen diarizer and scores the result. */
export async function scoreRecording(recording: Recording, kind: DiarizerKind, settings: DiarizerSettings = {}): Promise<RecordingScore> {
  const utterances = await utterancesOf(recording.samples);
  const started = performance.now();
  const hypothesis = kind === 'batch' ? runBatch(utterances, settings.batch) : runLive(recording.samples, utterances, settings.live);
  const diarizerMs = performance.now() - started;
  const words = referenceWords(recording);
  const labels = speakersOfWords(words, hypothesis);
  return {
    name: recording.name,
    audioMs: recording.samples.length / 16,
    speakers: recording.speakers,
    found: new Set(hypothesis.map((t) => t.speaker)).size,
    errors: diarizationErrorRate(recording.reference, hypothesis, COLLAR_MS),
    words: words.length,
    wordsRight: wordsRight(words.map((w) => w.speaker), labels),
    diarizerMs,
  };
}

/** DER over a group: errors summed over its recordings, divided by their speech. */
export function pooledDer(scores: readonly RecordingScore[]): number {
  const sum = (f: (e: DiarizationErrors) => number) => scores.reduce((n, s) => n + f(s.errors), 0);
  return (sum((e) => e.missedMs) + sum((e) => e.falseAlarmMs) + sum((e) => e.confusionMs)) / sum((e) => e.speechMs);
}

/** Share of words to the right speaker over a group. */
export function pooledWordAccuracy(scores: readonly RecordingScore[]): number {
  return scores.reduce((n, s) => n + s.wordsRight, 0) / scores.reduce((n, s) => n + s.words, 0);
}

/** A recording's groups for reporting: each of its conditions, and its number of speakers. */
export function groupsOf(recording: EvaluationRecording): string[] {
  const { turns, pauses, levels, channel } = recording.conditions;
  return [
    turns === 'short' ? 'turns 1–3 s' : 'turns 3–8 s',
    pauses === 'none' ? 'no pauses' : 'pauses 0.2–1 s',
    levels === 'even' ? 'even levels' : 'levels ±10 dB',
    channel === 'clean' ? 'clean' : 'one on the telephone',
    recording.speakers === 1 ? '1 speaker' : `${recording.speakers} speakers`,
  ];
}
